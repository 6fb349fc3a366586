import { RtmpError } from './rtmp-error';
import { RtmpErrorCode } from './rtmp-error-code';

/**
 * A peer announced something larger than a configured limit allows (message size, chunk size,
 * number of chunk streams, bytes held in partial messages). Raised when the header arrives,
 * before anything is buffered. Always fatal: the peer is broken or hostile.
 */
export class ProtocolLimitError extends RtmpError {
  constructor(
    code: RtmpErrorCode,
    readonly limit: string,
    readonly value: number,
    readonly maximum: number,
  ) {
    super(code, `${limit} exceeded: ${value} > ${maximum}`, true, { limit, value, maximum });
  }
}
