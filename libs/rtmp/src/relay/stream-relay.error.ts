import { RtmpError, RtmpErrorContext } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';

/**
 * Why a relay ended a connection to its destination on its own: the destination stopped
 * reading (`RTMP_ERR_RELAY_STALLED`), or asked to move somewhere the relay will not go
 * (`RTMP_ERR_RELAY_RECONNECT_REFUSED`). Messages show destinations with the key masked.
 */
export class StreamRelayError extends RtmpError {
  constructor(code: RtmpErrorCode, message: string, context: RtmpErrorContext = {}) {
    super(code, message, true, context);
  }
}
