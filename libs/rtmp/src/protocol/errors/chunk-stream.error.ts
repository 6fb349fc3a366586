import { RtmpError, RtmpErrorContext } from './rtmp-error';
import { RtmpErrorCode } from './rtmp-error-code';

/** The chunk stream broke a rule that leaves the reader unable to frame what follows. */
export class ChunkStreamError extends RtmpError {
  constructor(code: RtmpErrorCode, message: string, context: RtmpErrorContext = {}) {
    super(code, message, true, context);
  }
}
