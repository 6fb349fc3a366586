import { ByteWriter } from '../buffer/byte-writer';
import {
  AvMultitrackType,
  MAX_TIMESTAMP_OFFSET_NANO,
  PacketModExType,
} from './ex-header.constants';
import { fourCcToCode } from './four-cc';
import { MOD_EX_PACKET_TYPE } from './mod-ex.parser';

/**
 * Throws a RangeError unless `value` is an integer in [min, max]. Builders validate their input
 * because a header written from an out-of-range field would parse back as something else.
 */
export function assertIntegerInRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Throws a RangeError unless `packetType` is one a caller may ask for: a nibble, and neither
 * Multitrack (its number differs between audio and video) nor ModEx, which the builders write.
 */
export function assertExPacketType(packetType: number, multitrackPacketType: number): void {
  assertIntegerInRange('packetType', packetType, 0, 15);
  if (packetType === multitrackPacketType || packetType === MOD_EX_PACKET_TYPE) {
    throw new RangeError(
      'Multitrack and ModEx are written by the builders, not given as the packet type',
    );
  }
}

/**
 * Writes the first byte of an ex-header, with the packet type replaced by ModEx when a nanosecond
 * offset is to be sent, followed by the ModEx entry (size 3, TimestampOffsetNano) that names the
 * real packet type. `highBits` holds everything above the packet-type nibble.
 */
export function writeExHeaderStart(
  writer: ByteWriter,
  highBits: number,
  packetType: number,
  timestampOffsetNano: number | undefined,
): void {
  if (timestampOffsetNano === undefined) {
    writer.u8(highBits | packetType);
    return;
  }
  assertIntegerInRange('timestampOffsetNano', timestampOffsetNano, 0, MAX_TIMESTAMP_OFFSET_NANO);
  writer.u8(highBits | MOD_EX_PACKET_TYPE);
  writer.u8(3 - 1);
  writer.u24(timestampOffsetNano);
  writer.u8((PacketModExType.TimestampOffsetNano << 4) | packetType);
}

/** Writes a FourCC as its big-endian UI32 (RangeError unless it is four 8-bit characters). */
export function writeFourCc(writer: ByteWriter, fourCc: string): void {
  writer.u32(fourCcToCode(fourCc));
}

/** Checks the parts of a multitrack message that both media share. */
export function assertMultitrackShape(
  multitrackType: number,
  sharedFourCc: string | undefined,
  tracks: readonly { readonly trackId: number; readonly fourCc?: string }[],
): void {
  assertIntegerInRange('multitrackType', multitrackType, 0, AvMultitrackType.ManyTracksManyCodecs);
  if (tracks.length === 0) throw new RangeError('a multitrack message needs at least one track');
  if (multitrackType === AvMultitrackType.OneTrack && tracks.length !== 1) {
    throw new RangeError(`OneTrack carries exactly one track, got ${tracks.length}`);
  }
  const perTrackCodecs = multitrackType === AvMultitrackType.ManyTracksManyCodecs;
  if (perTrackCodecs ? sharedFourCc !== undefined : sharedFourCc === undefined) {
    throw new RangeError(
      perTrackCodecs
        ? 'ManyTracksManyCodecs takes a FourCC per track, not a shared one'
        : 'OneTrack and ManyTracks take one shared FourCC',
    );
  }
  for (const track of tracks) {
    assertIntegerInRange('trackId', track.trackId, 0, 0xff);
    if (perTrackCodecs !== (track.fourCc !== undefined)) {
      throw new RangeError(
        perTrackCodecs
          ? `track ${track.trackId} needs its own FourCC with ManyTracksManyCodecs`
          : `track ${track.trackId} must not have its own FourCC outside ManyTracksManyCodecs`,
      );
    }
  }
}

/**
 * Writes one track's prefix ([FourCC] trackId [UI24 size]); `size` counts everything after the
 * size field (per-track header fields plus the body).
 */
export function writeTrackPrefix(
  writer: ByteWriter,
  multitrackType: number,
  trackId: number,
  fourCc: string | undefined,
  size: number,
): void {
  if (fourCc !== undefined) writeFourCc(writer, fourCc);
  writer.u8(trackId);
  if (multitrackType !== AvMultitrackType.OneTrack) {
    assertIntegerInRange('track size', size, 0, 0xffffff);
    writer.u24(size);
  }
}

/** One track of a multitrack message to write, as both media have it. */
interface TrackInit {
  readonly trackId: number;
  readonly fourCc?: string;
  readonly body: Buffer;
}

/** A multitrack message to write, as both media have it. */
interface MultitrackInit<T extends TrackInit> {
  readonly multitrackType: number;
  readonly packetType: number;
  readonly fourCc?: string;
  readonly timestampOffsetNano?: number;
  readonly tracks: readonly T[];
}

/**
 * Writes a multitrack payload as parts to write in order: the header (first byte with
 * `highBits`, an optional ModEx entry, the multitrack byte, the shared FourCC), then for each
 * track its prefix, the per-track fields `writeTrackFields` writes (counted in the track size),
 * and its body, passed through, never copied. The caller has checked the shape.
 */
export function writeMultitrackParts<T extends TrackInit>(
  highBits: number,
  multitrackPacketType: number,
  init: MultitrackInit<T>,
  writeTrackFields: (writer: ByteWriter, track: T) => void,
): Buffer[] {
  const header = new ByteWriter(16);
  writeExHeaderStart(header, highBits, multitrackPacketType, init.timestampOffsetNano);
  header.u8((init.multitrackType << 4) | init.packetType);
  if (init.multitrackType !== AvMultitrackType.ManyTracksManyCodecs) {
    writeFourCc(header, init.fourCc as string);
  }
  const parts: Buffer[] = [header.toBuffer()];
  for (const track of init.tracks) {
    const fields = new ByteWriter(16);
    writeTrackFields(fields, track);
    const prefix = new ByteWriter(16);
    writeTrackPrefix(
      prefix,
      init.multitrackType,
      track.trackId,
      track.fourCc,
      fields.length + track.body.length,
    );
    prefix.bytes(fields.toBuffer());
    parts.push(prefix.toBuffer(), track.body);
  }
  return parts;
}
