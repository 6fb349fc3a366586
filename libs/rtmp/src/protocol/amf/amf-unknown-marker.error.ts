import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfFormat, AmfMessages } from './amf.messages';

/**
 * A type marker this decoder cannot read: undefined in the spec, or reserved (AMF0 movieclip and
 * recordset). Not fatal: the RTMP message boundary is intact, so a session can drop this one
 * message (an exotic metadata field, say) and go on.
 */
export class AmfUnknownMarkerError extends RtmpError {
  constructor(format: AmfFormat, marker: number, offset: number, reserved = false) {
    super(
      RtmpErrorCode.AmfUnknownMarker,
      reserved
        ? AmfMessages.reservedMarker(format, marker, offset)
        : AmfMessages.unknownMarker(format, marker, offset),
      false,
      { format, marker, offset, reserved },
    );
  }
}
