import { RtmpError, RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * A message payload breaks a rule of its type (a SetChunkSize of 0, an aggregate whose
 * sub-message runs past the end...). Fatal: a peer that sends it is broken or hostile, and the
 * session cannot trust what it meant. Payloads too short to read throw `TruncatedDataError`.
 */
export class MessageDecodeError extends RtmpError {
  /** `what` names the message being decoded, as `TruncatedDataError` does. */
  constructor(what: string, problem: string, context: RtmpErrorContext = {}) {
    super(RtmpErrorCode.MessageMalformed, `${what}: ${problem}`, true, { what, ...context });
  }
}
