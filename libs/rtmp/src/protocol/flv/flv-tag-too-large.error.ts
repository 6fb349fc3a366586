import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { FlvMessages } from './flv.messages';

/**
 * A tag's DataSize is over the configured limit (reader) or over what the 24-bit field can hold
 * (writer). The reader raises it as soon as the tag header arrives, before buffering the body.
 * Fatal: skipping the body would mean trusting the size that was just refused.
 */
export class FlvTagTooLargeError extends RtmpError {
  constructor(
    readonly size: number,
    readonly limit: number,
    offset?: number,
  ) {
    super(RtmpErrorCode.FlvTagTooLarge, FlvMessages.tagTooLarge(size, limit), true, {
      size,
      limit,
      offset,
    });
  }
}
