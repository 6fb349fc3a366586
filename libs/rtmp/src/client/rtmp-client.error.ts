import { RtmpError, RtmpErrorContext } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';

/**
 * Why a push failed. A rejection carries the server's own status code and description
 * (`NetStream.Publish.BadName`, "Already publishing"...), so callers can tell a refused key
 * from a network failure.
 */
export class RtmpClientError extends RtmpError {
  constructor(
    code: RtmpErrorCode,
    message: string,
    readonly serverCode?: string,
    readonly serverDescription?: string,
    context: RtmpErrorContext = {},
  ) {
    super(code, message, true, { ...context, serverCode, serverDescription });
  }
}
