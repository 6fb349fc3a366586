import { RtmpError, RtmpErrorContext } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';

/** Why the server ended a session on its own: a timeout, a command out of order, a bug. */
export class SessionError extends RtmpError {
  constructor(code: RtmpErrorCode, message: string, context: RtmpErrorContext = {}) {
    super(code, message, true, context);
  }
}
