import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfFormat, AmfMessages } from './amf.messages';

/**
 * Containers nest deeper than `maxDepth`. Fatal: no real encoder nests commands or metadata this
 * deep, so the peer is broken or probing for a stack overflow. Raised before the next level is
 * entered, so decoding never recurses past the limit.
 */
export class AmfTooDeepError extends RtmpError {
  constructor(format: AmfFormat, maxDepth: number, offset: number) {
    super(RtmpErrorCode.AmfTooDeep, AmfMessages.tooDeep(format, maxDepth, offset), true, {
      format,
      maxDepth,
      offset,
    });
  }
}
