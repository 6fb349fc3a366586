import type { AudioCodec } from './audio-codec';

/**
 * An E-RTMP MultichannelConfig: how many channels there are and which speaker each one feeds,
 * for codecs whose bitstream does not say (Opus with an empty sequence start, for example).
 */
export interface AudioMultichannelConfig {
  /** AudioChannelOrder: 0 unspecified, 1 native (mask), 2 custom (map). Reserved values carry nothing more. */
  readonly channelOrder: number;
  readonly channelCount: number;
  /** Native order only: the AudioChannelMask bits of the channels present. */
  readonly channelMask: number | undefined;
  /** Custom order only: one AudioChannel value per channel, in bitstream order. */
  readonly channelMapping: readonly number[] | undefined;
}

/** What every parsed audio message has, whatever its layout. */
interface AudioTagBase {
  readonly kind: 'audio';
  /** The first byte's SoundFormat is 9: an E-RTMP v2 ExAudioTagHeader with a FourCC. */
  readonly isExHeader: boolean;
  /** The payload was empty, which RTMP uses to signal a period of silence. */
  readonly isSilence: boolean;
  /** The message carries an E-RTMP Multitrack packet: read `tracks`, not `body`. */
  readonly isMultitrack: boolean;
  /**
   * Decoder configuration a late joiner needs before any frame: the legacy AAC sequence header
   * (AudioSpecificConfig) or an E-RTMP SequenceStart. MultichannelConfig packets are
   * configuration too but are not counted here; test `packetType` for them.
   */
  readonly isSequenceHeader: boolean;
  /** E-RTMP SequenceEnd: the track's sequence is over (legacy audio has no such signal). */
  readonly isSequenceEnd: boolean;
  /**
   * Nanoseconds to add to the message's millisecond timestamp, from an E-RTMP ModEx
   * TimestampOffsetNano (0 when absent). The spec caps it at 999,999; larger values are
   * returned as sent.
   */
  readonly timestampOffsetNano: number;
}

/** An empty audio message: silence, not an error (E-RTMP v2 documents this old convention). */
export interface SilentAudioTag extends AudioTagBase {
  readonly isExHeader: false;
  readonly isSilence: true;
  readonly isMultitrack: false;
  readonly isSequenceHeader: false;
  readonly isSequenceEnd: false;
  /** The empty payload itself, so pass-through code can treat every tag alike. */
  readonly body: Buffer;
}

/** One audio track's header fields and data: a legacy tag or a single-track ExAudioTagHeader. */
export interface SingleTrackAudioTag extends AudioTagBase {
  readonly isSilence: false;
  readonly isMultitrack: false;
  /** The first byte's high 4 bits, as sent (9 for an ex-header). */
  readonly soundFormat: number;
  /** Legacy only: SoundRate (see `SoundRate`). Undefined for an ex-header. */
  readonly soundRate: number | undefined;
  /** Legacy only: SoundSize (see `SoundSize`). Undefined for an ex-header. */
  readonly soundSize: number | undefined;
  /** Legacy only: SoundType (see `SoundType`). Undefined for an ex-header. */
  readonly soundType: number | undefined;
  /**
   * In AudioPacketType numbers: the E-RTMP packet type (after any ModEx); for legacy AAC the
   * AACPacketType, which uses the same numbers (0 sequence header, 1 raw); for other legacy
   * formats CodedFrames.
   */
  readonly packetType: number;
  readonly codec: AudioCodec;
  /** The E-RTMP FourCC as sent (`mp4a`, `Opus`, or one this library does not know); undefined for legacy. */
  readonly fourCc: string | undefined;
  /** Always 0: outside a Multitrack packet a message belongs to the default track. */
  readonly trackId: number;
  /** Set when `packetType` is MultichannelConfig. */
  readonly multichannelConfig: AudioMultichannelConfig | undefined;
  /** The codec data after the header: a view into the payload, never a copy. */
  readonly body: Buffer;
}

/** One track of a multitrack audio message. */
export interface AudioTrack {
  readonly trackId: number;
  readonly codec: AudioCodec;
  /** This track's FourCC: the shared one, or its own with ManyTracksManyCodecs. */
  readonly fourCc: string;
  /** Set when the message's `packetType` is MultichannelConfig. */
  readonly multichannelConfig: AudioMultichannelConfig | undefined;
  /** The track's codec data: a view into the payload. */
  readonly body: Buffer;
}

/** An E-RTMP Multitrack audio message: one packet type for all tracks, then the tracks. */
export interface MultitrackAudioTag extends AudioTagBase {
  readonly isExHeader: true;
  readonly isSilence: false;
  readonly isMultitrack: true;
  /** Always 9 (ExHeader). */
  readonly soundFormat: number;
  /** AvMultitrackType: OneTrack, ManyTracks or ManyTracksManyCodecs. */
  readonly multitrackType: number;
  /** The packet type every track carries, in AudioPacketType numbers. */
  readonly packetType: number;
  /** The FourCC shared by all tracks; undefined with ManyTracksManyCodecs. */
  readonly fourCc: string | undefined;
  /** The tracks in message order (at least one). */
  readonly tracks: readonly AudioTrack[];
}

/**
 * A parsed RTMP audio message (an FLV AUDIODATA tag body). Narrow with `isSilence` and
 * `isMultitrack`; the convenience flags on every variant are what a GOP cache or recorder needs.
 */
export type AudioTag = SilentAudioTag | SingleTrackAudioTag | MultitrackAudioTag;
