import { RtmpError, type RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * The bytes do not start with a usable FLV file header (no "FLV" signature, or a DataOffset that
 * points inside the header). Fatal: nothing after it can be trusted to be FLV.
 */
export class FlvHeaderInvalidError extends RtmpError {
  constructor(message: string, context: RtmpErrorContext = {}) {
    super(RtmpErrorCode.FlvHeaderInvalid, message, true, context);
  }
}
