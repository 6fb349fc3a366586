import { RtmpError, type RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * The encoder was handed something AMF cannot carry: a function, symbol or bigint, a class
 * instance that is not one of the AMF value classes, a cycle, a string or array too long for
 * its length field. Not fatal: nothing was sent; it is the caller's bug.
 */
export class AmfUnencodableError extends RtmpError {
  constructor(message: string, context: RtmpErrorContext = {}) {
    super(RtmpErrorCode.AmfUnencodable, message, false, context);
  }
}
