import { ByteWriter } from '../buffer/byte-writer';
import {
  assertExPacketType,
  assertIntegerInRange,
  assertMultitrackShape,
  writeExHeaderStart,
  writeFourCc,
  writeMultitrackParts,
} from './ex-header.writer';
import { carriesCompositionTime } from './video-codec';
import {
  AvcPacketType,
  VideoCodecId,
  VideoFrameType,
  VideoPacketType,
} from './video-tag.constants';

/** Fields of a legacy video header. */
export interface LegacyVideoHeaderInit {
  /** Any FrameType but 5 (Command, see {@link buildVideoCommandFrame}). */
  readonly frameType: number;
  readonly codecId: number;
  /** AVC and legacy HEVC only: the AVCPacketType; defaults to NALU. */
  readonly packetType?: number;
  /** AVC and legacy HEVC only: SI24 milliseconds; defaults to 0. */
  readonly compositionTime?: number;
}

/** Fields of a single-track E-RTMP video header. */
export interface ExVideoHeaderInit {
  /** 0 to 7; 5 (Command) only with the Metadata packet type (FFmpeg's form of it). */
  readonly frameType: number;
  /** A VideoPacketType other than Multitrack and ModEx (those are written for you). */
  readonly packetType: number;
  readonly fourCc: string;
  /** CodedFrames of avc1, hvc1 and vvc1 only: SI24 milliseconds; defaults to 0. */
  readonly compositionTime?: number;
  /** When set, a ModEx TimestampOffsetNano entry (0 to 999,999) is written first. */
  readonly timestampOffsetNano?: number;
}

/** A video command frame to write. */
export interface VideoCommandFrameInit {
  /** VideoCommand: 0 StartSeek, 1 EndSeek. */
  readonly command: number;
  /** Legacy form: the CodecID to put in the low 4 bits. Leave out for the E-RTMP form. */
  readonly codecId?: number;
  /** E-RTMP form only: the packet type nibble (anything but Metadata); defaults to CodedFrames. */
  readonly packetType?: number;
  /** E-RTMP form only: a ModEx TimestampOffsetNano entry to write first. */
  readonly timestampOffsetNano?: number;
}

/** One track of a multitrack video message to write. */
export interface VideoTrackInit {
  readonly trackId: number;
  /** Required with ManyTracksManyCodecs, forbidden otherwise. */
  readonly fourCc?: string;
  /** CodedFrames of avc1, hvc1 and vvc1 only; defaults to 0. */
  readonly compositionTime?: number;
  readonly body: Buffer;
}

/** A multitrack E-RTMP video message to write. */
export interface MultitrackVideoInit {
  /** 0 to 7 but not 5, shared by every track (multitrack Metadata uses 0, OBS's form). */
  readonly frameType: number;
  readonly multitrackType: number;
  /** The packet type of every track (not Multitrack or ModEx). */
  readonly packetType: number;
  /** The shared FourCC; leave out with ManyTracksManyCodecs. */
  readonly fourCc?: string;
  readonly timestampOffsetNano?: number;
  readonly tracks: readonly VideoTrackInit[];
}

const MIN_SI24 = -0x800000;
const MAX_SI24 = 0x7fffff;

/**
 * Builds a legacy video header (1 byte; 5 for AVC and legacy HEVC, with AVCPacketType and
 * CompositionTime). Throws a RangeError for a field out of range. Like every builder here, it
 * is for tests and recording: relays forward tags byte for byte and never rebuild them.
 */
export function buildLegacyVideoHeader(init: LegacyVideoHeaderInit): Buffer {
  assertIntegerInRange('frameType', init.frameType, 0, 7);
  assertIntegerInRange('codecId', init.codecId, 0, 15);
  if (init.frameType === VideoFrameType.Command) {
    throw new RangeError('FrameType 5 is a command frame: use buildVideoCommandFrame');
  }
  const first = (init.frameType << 4) | init.codecId;
  if (init.codecId !== VideoCodecId.Avc && init.codecId !== VideoCodecId.LegacyHevc) {
    if (init.packetType !== undefined || init.compositionTime !== undefined) {
      throw new RangeError('only AVC and legacy HEVC have a packet type and composition time');
    }
    return Buffer.from([first]);
  }
  const packetType = init.packetType ?? AvcPacketType.Nalu;
  const compositionTime = init.compositionTime ?? 0;
  assertIntegerInRange('packetType', packetType, 0, 0xff);
  assertIntegerInRange('compositionTime', compositionTime, MIN_SI24, MAX_SI24);
  return new ByteWriter(16).u8(first).u8(packetType).i24(compositionTime).toBuffer();
}

/**
 * Builds a single-track E-RTMP video header: first byte (IsExHeader, FrameType, PacketType),
 * optional ModEx TimestampOffsetNano, FourCC, and the SI24 composition time where the codec has
 * one. Metadata is built with FrameType 0 for OBS's form (0x84) or 5 for FFmpeg's (0xD4).
 */
export function buildExVideoHeader(init: ExVideoHeaderInit): Buffer {
  assertIntegerInRange('frameType', init.frameType, 0, 7);
  assertExPacketType(init.packetType, VideoPacketType.Multitrack);
  if (init.frameType === VideoFrameType.Command && init.packetType !== VideoPacketType.Metadata) {
    throw new RangeError('FrameType 5 is a command frame: use buildVideoCommandFrame');
  }
  const writer = new ByteWriter(16);
  writeExHeaderStart(
    writer,
    0x80 | (init.frameType << 4),
    init.packetType,
    init.timestampOffsetNano,
  );
  writeFourCc(writer, init.fourCc);
  writeCompositionTime(writer, init.packetType, init.fourCc, init.compositionTime);
  return writer.toBuffer();
}

/**
 * Builds a whole video command frame (there is no body): the legacy form when `codecId` is
 * given, otherwise the E-RTMP form, which names no codec.
 */
export function buildVideoCommandFrame(init: VideoCommandFrameInit): Buffer {
  assertIntegerInRange('command', init.command, 0, 0xff);
  const writer = new ByteWriter(16);
  if (init.codecId !== undefined) {
    assertIntegerInRange('codecId', init.codecId, 0, 15);
    if (init.packetType !== undefined || init.timestampOffsetNano !== undefined) {
      throw new RangeError('a legacy command frame has no packet type or ModEx');
    }
    writer.u8((VideoFrameType.Command << 4) | init.codecId);
  } else {
    const packetType = init.packetType ?? VideoPacketType.CodedFrames;
    assertExPacketType(packetType, VideoPacketType.Multitrack);
    if (packetType === VideoPacketType.Metadata) {
      throw new RangeError(
        'FrameType 5 with Metadata is a metadata packet: use buildExVideoHeader',
      );
    }
    writeExHeaderStart(
      writer,
      0x80 | (VideoFrameType.Command << 4),
      packetType,
      init.timestampOffsetNano,
    );
  }
  return writer.u8(init.command).toBuffer();
}

/**
 * Builds a whole multitrack video payload as parts to write in order (or `Buffer.concat`):
 * header pieces interleaved with the track bodies, which are passed through, never copied.
 * Track sizes are computed here and include each track's composition time.
 */
export function buildMultitrackVideoPayload(init: MultitrackVideoInit): Buffer[] {
  assertIntegerInRange('frameType', init.frameType, 0, 7);
  assertExPacketType(init.packetType, VideoPacketType.Multitrack);
  // Readers test for a command frame before they look for Multitrack, so FrameType 5 on a
  // Multitrack packet reads as a command whatever the inner packet type (even Metadata).
  if (init.frameType === VideoFrameType.Command) {
    throw new RangeError(
      'FrameType 5 would read as a command frame: a multitrack message cannot use it',
    );
  }
  assertMultitrackShape(init.multitrackType, init.fourCc, init.tracks);
  return writeMultitrackParts(
    0x80 | (init.frameType << 4),
    VideoPacketType.Multitrack,
    init,
    (writer, track) => {
      const fourCc = (track.fourCc ?? init.fourCc) as string;
      writeCompositionTime(writer, init.packetType, fourCc, track.compositionTime);
    },
  );
}

function writeCompositionTime(
  writer: ByteWriter,
  packetType: number,
  fourCc: string,
  compositionTime: number | undefined,
): void {
  if (!carriesCompositionTime(packetType, fourCc)) {
    if (compositionTime !== undefined && compositionTime !== 0) {
      throw new RangeError(
        `${fourCc} packet type ${packetType} has no composition time field (it is implied 0)`,
      );
    }
    return;
  }
  const value = compositionTime ?? 0;
  assertIntegerInRange('compositionTime', value, MIN_SI24, MAX_SI24);
  writer.i24(value);
}
