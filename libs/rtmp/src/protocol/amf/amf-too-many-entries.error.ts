import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfMessages } from './amf.messages';

/**
 * A payload holds more object properties and array, vector or dictionary items, all containers
 * together, than `maxEntries` allows. Fatal: a few bytes per entry become an object slot or a
 * hash-table entry many times their size, so this is the shape of a memory attack, and no
 * command or metadata of a real encoder comes near the limit.
 */
export class AmfTooManyEntriesError extends RtmpError {
  constructor(maxEntries: number, offset: number) {
    super(RtmpErrorCode.AmfTooManyEntries, AmfMessages.tooManyEntries(maxEntries, offset), true, {
      maxEntries,
      offset,
    });
  }
}
