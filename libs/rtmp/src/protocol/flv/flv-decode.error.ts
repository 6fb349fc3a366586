import { RtmpError, type RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * An audio or video tag body whose structure cannot be true: a multitrack track that claims more
 * bytes than the message holds, a Multitrack packet nested in another, a reserved multitrack
 * layout. Unknown codecs and FourCCs are not errors; they pass through as-is.
 *
 * Not fatal: the RTMP message boundary is intact, so a session can drop this one message and go
 * on reading the next.
 */
export class FlvDecodeError extends RtmpError {
  constructor(message: string, context: RtmpErrorContext = {}) {
    super(RtmpErrorCode.FlvMalformed, message, false, context);
  }
}
