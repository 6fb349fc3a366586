import type { ByteReader } from '../buffer/byte-reader';
import { PacketModExType } from './ex-header.constants';

/** The ModEx packet type, the same number (7) for audio and video. */
export const MOD_EX_PACKET_TYPE = 7;

/** What a chain of ModEx entries leaves behind. */
export interface ModExResult {
  /** The real packet type named by the last entry. */
  readonly packetType: number;
  /** From the last TimestampOffsetNano entry, 0 if there was none. */
  readonly timestampOffsetNano: number;
}

/**
 * Reads ModEx entries until one names a packet type other than ModEx. `reader` sits just after
 * the first byte, whose packet type was ModEx. Each entry: size (UI8 + 1, or when that gives
 * 256, UI16 + 1), the data, then a byte of ModExType (high 4 bits) and next packet type (low).
 *
 * A TimestampOffsetNano entry is read from its first three bytes; a shorter one is ignored, as
 * FFmpeg does, and unknown ModEx types are skipped, so a modifier this library does not know
 * never stops a tag from being classified. Only running out of bytes is an error.
 */
export function readModEx(payload: Buffer, reader: ByteReader): ModExResult {
  let packetType = MOD_EX_PACKET_TYPE;
  let timestampOffsetNano = 0;
  while (packetType === MOD_EX_PACKET_TYPE) {
    let size = reader.u8() + 1;
    if (size === 256) size = reader.u16() + 1;
    const dataStart = reader.offset;
    reader.skip(size);
    const typeByte = reader.u8();
    packetType = typeByte & 0x0f;
    if (typeByte >> 4 === PacketModExType.TimestampOffsetNano && size >= 3) {
      timestampOffsetNano = payload.readUIntBE(dataStart, 3);
    }
  }
  return { packetType, timestampOffsetNano };
}
