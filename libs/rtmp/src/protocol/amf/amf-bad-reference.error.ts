import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfMessages, AmfReferenceTable } from './amf.messages';

/**
 * A reference (AMF0 reference marker; AMF3 string, object or traits reference) points at an entry
 * the table does not hold yet. Not fatal: the message boundary is intact.
 */
export class AmfBadReferenceError extends RtmpError {
  constructor(table: AmfReferenceTable, index: number, size: number, offset: number) {
    super(RtmpErrorCode.AmfBadReference, AmfMessages.badReference(table, index, size), false, {
      table,
      index,
      size,
      offset,
    });
  }
}
