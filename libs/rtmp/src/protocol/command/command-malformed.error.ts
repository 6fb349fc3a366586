import { RtmpError, type RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * A command or data message whose AMF decoded fine but does not have the shape its name needs:
 * no string name, a transaction id that is not a number, a connect without an `app`, a publish
 * without a stream name. Not fatal: the message boundary is intact, and the session decides
 * whether to answer with an error, ignore the message or close.
 */
export class CommandMalformedError extends RtmpError {
  constructor(message: string, context: RtmpErrorContext = {}) {
    super(RtmpErrorCode.CommandMalformed, message, false, context);
  }
}
