import { ByteWriter } from '../buffer/byte-writer';
import { AudioChannelOrder } from './audio-channel.constants';
import {
  AacPacketType,
  AudioPacketType,
  SoundFormat,
  SoundRate,
  SoundSize,
  SoundType,
} from './audio-tag.constants';
import {
  assertExPacketType,
  assertIntegerInRange,
  assertMultitrackShape,
  writeExHeaderStart,
  writeFourCc,
  writeMultitrackParts,
} from './ex-header.writer';

/** Fields of a legacy audio header. */
export interface LegacyAudioHeaderInit {
  /** Any SoundFormat but 9 (ExHeader, see {@link buildExAudioHeader}). */
  readonly soundFormat: number;
  /** Defaults to 44 kHz, which AAC requires. */
  readonly soundRate?: number;
  /** Defaults to 16-bit, which AAC requires. */
  readonly soundSize?: number;
  /** Defaults to stereo, which AAC requires. */
  readonly soundType?: number;
  /** AAC only: the AACPacketType; defaults to Raw. */
  readonly packetType?: number;
}

/** A MultichannelConfig to write; a parsed `AudioMultichannelConfig` fits as-is. */
export interface AudioMultichannelConfigInit {
  readonly channelOrder: number;
  readonly channelCount: number;
  /** Required with Native order. */
  readonly channelMask?: number;
  /** Required with Custom order: one AudioChannel per channel. */
  readonly channelMapping?: readonly number[];
}

/** Fields of a single-track E-RTMP audio header. */
export interface ExAudioHeaderInit {
  /** An AudioPacketType other than Multitrack and ModEx (those are written for you). */
  readonly packetType: number;
  readonly fourCc: string;
  /** When set, a ModEx TimestampOffsetNano entry (0 to 999,999) is written first. */
  readonly timestampOffsetNano?: number;
  /** Required when `packetType` is MultichannelConfig. */
  readonly multichannelConfig?: AudioMultichannelConfigInit;
}

/** One track of a multitrack audio message to write. */
export interface AudioTrackInit {
  readonly trackId: number;
  /** Required with ManyTracksManyCodecs, forbidden otherwise. */
  readonly fourCc?: string;
  /** Required when the message's packet type is MultichannelConfig. */
  readonly multichannelConfig?: AudioMultichannelConfigInit;
  readonly body: Buffer;
}

/** A multitrack E-RTMP audio message to write. */
export interface MultitrackAudioInit {
  readonly multitrackType: number;
  /** The packet type of every track (not Multitrack or ModEx). */
  readonly packetType: number;
  /** The shared FourCC; leave out with ManyTracksManyCodecs. */
  readonly fourCc?: string;
  readonly timestampOffsetNano?: number;
  readonly tracks: readonly AudioTrackInit[];
}

/**
 * Builds a legacy audio header (1 byte, 2 for AAC); the payload is the header followed by the
 * body. Throws a RangeError for a field out of range. Like every builder here, it is for tests
 * and recording: relays forward tags byte for byte and never rebuild them.
 */
export function buildLegacyAudioHeader(init: LegacyAudioHeaderInit): Buffer {
  const { soundFormat } = init;
  assertIntegerInRange('soundFormat', soundFormat, 0, 15);
  if (soundFormat === SoundFormat.ExHeader) {
    throw new RangeError('SoundFormat 9 is the E-RTMP ex-header: use buildExAudioHeader');
  }
  const soundRate = init.soundRate ?? SoundRate.Rate44kHz;
  const soundSize = init.soundSize ?? SoundSize.Bits16;
  const soundType = init.soundType ?? SoundType.Stereo;
  assertIntegerInRange('soundRate', soundRate, 0, 3);
  assertIntegerInRange('soundSize', soundSize, 0, 1);
  assertIntegerInRange('soundType', soundType, 0, 1);
  const first = (soundFormat << 4) | (soundRate << 2) | (soundSize << 1) | soundType;
  if (soundFormat !== SoundFormat.Aac) {
    if (init.packetType !== undefined) {
      throw new RangeError('only AAC has a packet type in a legacy audio header');
    }
    return Buffer.from([first]);
  }
  const packetType = init.packetType ?? AacPacketType.Raw;
  assertIntegerInRange('packetType', packetType, 0, 0xff);
  return Buffer.from([first, packetType]);
}

/**
 * Builds a single-track E-RTMP audio header: first byte, optional ModEx TimestampOffsetNano,
 * FourCC, and the MultichannelConfig when that is the packet type. Throws a RangeError for
 * fields out of range.
 */
export function buildExAudioHeader(init: ExAudioHeaderInit): Buffer {
  assertExPacketType(init.packetType, AudioPacketType.Multitrack);
  const writer = new ByteWriter(16);
  writeExHeaderStart(writer, SoundFormat.ExHeader << 4, init.packetType, init.timestampOffsetNano);
  writeFourCc(writer, init.fourCc);
  writeMultichannelConfigIfAny(writer, init.packetType, init.multichannelConfig);
  return writer.toBuffer();
}

/**
 * Builds a whole multitrack audio payload as parts to write in order (or `Buffer.concat`):
 * header pieces interleaved with the track bodies, which are passed through, never copied.
 * Track sizes are computed here. Throws a RangeError for an impossible shape (no tracks, several
 * tracks in OneTrack, FourCCs in the wrong place, fields out of range).
 */
export function buildMultitrackAudioPayload(init: MultitrackAudioInit): Buffer[] {
  assertExPacketType(init.packetType, AudioPacketType.Multitrack);
  assertMultitrackShape(init.multitrackType, init.fourCc, init.tracks);
  return writeMultitrackParts(
    SoundFormat.ExHeader << 4,
    AudioPacketType.Multitrack,
    init,
    (writer, track) =>
      writeMultichannelConfigIfAny(writer, init.packetType, track.multichannelConfig),
  );
}

function writeMultichannelConfigIfAny(
  writer: ByteWriter,
  packetType: number,
  config: AudioMultichannelConfigInit | undefined,
): void {
  if (packetType !== AudioPacketType.MultichannelConfig) {
    if (config !== undefined) {
      throw new RangeError(
        'a multichannel config goes only with the MultichannelConfig packet type',
      );
    }
    return;
  }
  if (config === undefined) {
    throw new RangeError('the MultichannelConfig packet type needs a multichannelConfig');
  }
  assertIntegerInRange('channelOrder', config.channelOrder, 0, 0xff);
  assertIntegerInRange('channelCount', config.channelCount, 0, 0xff);
  if (config.channelOrder !== AudioChannelOrder.Native && config.channelMask !== undefined) {
    throw new RangeError('only Native order carries a channelMask');
  }
  if (config.channelOrder !== AudioChannelOrder.Custom && config.channelMapping !== undefined) {
    throw new RangeError('only Custom order carries a channelMapping');
  }
  writer.u8(config.channelOrder).u8(config.channelCount);
  if (config.channelOrder === AudioChannelOrder.Native) {
    if (config.channelMask === undefined) throw new RangeError('Native order needs a channelMask');
    assertIntegerInRange('channelMask', config.channelMask, 0, 0xffffffff);
    writer.u32(config.channelMask);
  } else if (config.channelOrder === AudioChannelOrder.Custom) {
    const mapping = config.channelMapping;
    if (mapping === undefined || mapping.length !== config.channelCount) {
      throw new RangeError('Custom order needs a channelMapping entry per channel');
    }
    for (const channel of mapping) {
      assertIntegerInRange('channelMapping entry', channel, 0, 0xff);
      writer.u8(channel);
    }
  }
}
