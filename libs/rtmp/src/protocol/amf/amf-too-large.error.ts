import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfMessages } from './amf.messages';

/**
 * An item count (strict array, AMF3 array, vector, dictionary, sealed members) that the bytes
 * left cannot possibly hold, even at the smallest size per item. Checked when the count is read,
 * before anything is allocated for it. Fatal: it is the shape of an allocation attack.
 * (A string or byte length that runs past the end is a plain `TruncatedDataError`.)
 */
export class AmfTooLargeError extends RtmpError {
  constructor(
    what: string,
    count: number,
    minimumBytes: number,
    available: number,
    offset: number,
  ) {
    super(
      RtmpErrorCode.AmfTooLarge,
      AmfMessages.countTooLarge(what, count, minimumBytes, available),
      true,
      { what, count, minimumBytes, available, offset },
    );
  }
}
