import {
  FLV_HEADER_SIZE,
  FLV_TAG_HEADER_SIZE,
  FLV_TAG_TRAILER_SIZE,
  FlvHeaderFlag,
  MAX_FLV_TAG_DATA_SIZE,
} from './flv-file.constants';
import type { FlvHeaderFlags } from './flv-file.types';
import { FlvTagTooLargeError } from './flv-tag-too-large.error';

/**
 * The 13 bytes an FLV file starts with: the 9-byte header ("FLV", version 1, TypeFlags,
 * DataOffset 9) and PreviousTagSize0, which is always 0.
 */
export function encodeFlvHeader(flags: FlvHeaderFlags): Buffer {
  const header = Buffer.alloc(FLV_HEADER_SIZE + FLV_TAG_TRAILER_SIZE);
  header.write('FLV', 0, 'latin1');
  header[3] = 1;
  header[4] = (flags.audio ? FlvHeaderFlag.Audio : 0) | (flags.video ? FlvHeaderFlag.Video : 0);
  header.writeUInt32BE(FLV_HEADER_SIZE, 5);
  return header;
}

/**
 * The 11-byte header of one tag. `timestamp` is in milliseconds, taken modulo 2^32: the low 24
 * bits go in Timestamp and the high 8 in TimestampExtended (all 8; OBS masks it to 7 bits).
 * StreamID is 0. Throws {@link FlvTagTooLargeError} when `dataSize` does not fit in 24 bits.
 */
export function encodeFlvTagHeader(type: number, timestamp: number, dataSize: number): Buffer {
  assertDataSize(dataSize);
  const time = timestamp >>> 0;
  const header = Buffer.alloc(FLV_TAG_HEADER_SIZE);
  header[0] = type & 0x1f;
  header.writeUIntBE(dataSize, 1, 3);
  header.writeUIntBE(time & 0xffffff, 4, 3);
  header[7] = time >>> 24;
  // Bytes 8-10 (StreamID) stay 0.
  return header;
}

/** The PreviousTagSize that follows a tag: 11 + `dataSize`. */
export function encodeFlvTagTrailer(dataSize: number): Buffer {
  assertDataSize(dataSize);
  const trailer = Buffer.allocUnsafe(FLV_TAG_TRAILER_SIZE);
  trailer.writeUInt32BE(FLV_TAG_HEADER_SIZE + dataSize, 0);
  return trailer;
}

function assertDataSize(dataSize: number): void {
  if (!Number.isInteger(dataSize) || dataSize < 0) {
    throw new RangeError(`an FLV tag's data size is a non-negative integer, got ${dataSize}`);
  }
  if (dataSize > MAX_FLV_TAG_DATA_SIZE) {
    throw new FlvTagTooLargeError(dataSize, MAX_FLV_TAG_DATA_SIZE);
  }
}
