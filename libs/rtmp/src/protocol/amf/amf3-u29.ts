import { ByteReader } from '../buffer/byte-reader';
import { ByteWriter } from '../buffer/byte-writer';
import { AmfUnencodableError } from './amf-unencodable.error';
import { AMF3_MAX_U29 } from './amf3.constants';
import { AmfMessages } from './amf.messages';

/**
 * Reads an AMF3 U29 (AMF3 §1.3.1): up to three bytes of 7 bits each, high bit set when another
 * byte follows, then a fourth byte that gives all 8 bits. Non-minimal forms (`80 01` for 1) are
 * accepted, as the grammar allows them.
 */
export function readU29(reader: ByteReader): number {
  let value = 0;
  for (let index = 0; index < 3; index++) {
    const byte = reader.u8();
    if ((byte & 0x80) === 0) return (value << 7) | byte;
    value = (value << 7) | (byte & 0x7f);
  }
  // 21 bits so far, 8 more: at most 29 bits, so the shifts never reach the sign bit.
  return (value << 8) | reader.u8();
}

/** Writes `value` (0..0x1FFFFFFF) as a U29 in its shortest form. */
export function writeU29(writer: ByteWriter, value: number): void {
  if (value < 0x80) {
    writer.u8(value);
  } else if (value < 0x4000) {
    writer.u8((value >>> 7) | 0x80).u8(value & 0x7f);
  } else if (value < 0x200000) {
    writer
      .u8((value >>> 14) | 0x80)
      .u8(((value >>> 7) & 0x7f) | 0x80)
      .u8(value & 0x7f);
  } else if (value <= AMF3_MAX_U29) {
    writer
      .u8((value >>> 22) | 0x80)
      .u8(((value >>> 15) & 0x7f) | 0x80)
      .u8(((value >>> 8) & 0x7f) | 0x80)
      .u8(value & 0xff);
  } else {
    // Callers check their ranges first, so this only guards against a bug in this module.
    throw new AmfUnencodableError(AmfMessages.encodeTooLong('U29 value', value, AMF3_MAX_U29), {
      value,
    });
  }
}
