import { RtmpError, type RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * Bytes that break an AMF grammar rule other than the ones with their own code: an object-end
 * marker where a value belongs, bytes left after a single value, an externalizable AMF3 class
 * whose private body cannot be read. Not fatal: the message boundary is intact.
 */
export class AmfMalformedError extends RtmpError {
  constructor(message: string, context: RtmpErrorContext = {}) {
    super(RtmpErrorCode.AmfMalformed, message, false, context);
  }
}
