import type { VideoCodec } from './video-codec';

/** What every parsed video message has, whatever its layout. */
interface VideoTagBase {
  readonly kind: 'video';
  /** Bit 7 of the first byte is set: an E-RTMP ExVideoTagHeader with a FourCC. */
  readonly isExHeader: boolean;
  /** The message carries an E-RTMP Multitrack packet: read `tracks`, not `body`. */
  readonly isMultitrack: boolean;
  /** FrameType 5 with no picture, only a VideoCommand byte (`command`). */
  readonly isCommandFrame: boolean;
  /**
   * FrameType as sent (4 bits legacy, 3 bits ex-header). E-RTMP says to ignore it on Metadata
   * packets, which OBS sends with 0 and FFmpeg with 5.
   */
  readonly frameType: number;
  /**
   * A seekable coded picture: FrameType key (1) or generated key (4) on a packet that carries
   * coded frames. Sequence headers, sequence ends, metadata and commands are never key frames,
   * even when their FrameType says 1, so a GOP cache can start a new GOP on this flag alone.
   */
  readonly isKeyFrame: boolean;
  /**
   * Decoder configuration a late joiner needs before any frame: the legacy AVC/HEVC sequence
   * header (AVCPacketType 0) or an E-RTMP SequenceStart or MPEG2TSSequenceStart.
   */
  readonly isSequenceHeader: boolean;
  /** Legacy AVC end of sequence (AVCPacketType 2) or E-RTMP SequenceEnd. */
  readonly isSequenceEnd: boolean;
  /**
   * Nanoseconds to add to the message's millisecond timestamp, from an E-RTMP ModEx
   * TimestampOffsetNano (0 when absent). The spec caps it at 999,999; larger values are
   * returned as sent.
   */
  readonly timestampOffsetNano: number;
}

/** One video track's header fields and data: a legacy tag or a single-track ExVideoTagHeader. */
export interface SingleTrackVideoTag extends VideoTagBase {
  readonly isMultitrack: false;
  readonly isCommandFrame: false;
  /**
   * In VideoPacketType numbers: the E-RTMP packet type (after any ModEx); for legacy AVC and
   * HEVC the AVCPacketType, which uses the same numbers (0 sequence header, 1 NALUs, 2 end of
   * sequence); for other legacy codecs CodedFrames. Metadata (4) bodies are AMF (`colorInfo`)
   * for the caller to decode.
   */
  readonly packetType: number;
  readonly codec: VideoCodec;
  /** Legacy only: the CodecID as sent (7 AVC, 12 HEVC, or an unknown one). */
  readonly codecId: number | undefined;
  /** Ex-header only: the FourCC as sent (`hvc1`, `av01`, or one this library does not know). */
  readonly fourCc: string | undefined;
  /** Always 0: outside a Multitrack packet a message belongs to the default track. */
  readonly trackId: number;
  /**
   * Composition time offset in ms (SI24, may be negative): read for legacy AVC/HEVC and for
   * E-RTMP CodedFrames of avc1, hvc1 and vvc1; 0 for everything else (CodedFramesX implies 0).
   */
  readonly compositionTime: number;
  /** The codec data (or AMF metadata) after the header: a view into the payload, never a copy. */
  readonly body: Buffer;
}

/** A video command frame: FrameType 5 carrying a VideoCommand byte instead of a picture. */
export interface VideoCommandTag extends VideoTagBase {
  readonly isMultitrack: false;
  readonly isCommandFrame: true;
  readonly isKeyFrame: false;
  readonly isSequenceHeader: false;
  readonly isSequenceEnd: false;
  /** VideoCommand: 0 StartSeek, 1 EndSeek; other values are returned as sent. */
  readonly command: number;
  /** The legacy CodecID's codec; `'unknown'` for an ex-header command, which names no codec. */
  readonly codec: VideoCodec;
  /** Legacy only: the CodecID as sent. */
  readonly codecId: number | undefined;
  /** Always undefined: an E-RTMP command frame has no FourCC. */
  readonly fourCc: undefined;
  /** Always 0. */
  readonly trackId: number;
  /** Always 0. */
  readonly compositionTime: number;
  /** Whatever follows the command byte (normally empty): a view into the payload. */
  readonly body: Buffer;
}

/** One track of a multitrack video message. */
export interface VideoTrack {
  readonly trackId: number;
  readonly codec: VideoCodec;
  /** This track's FourCC: the shared one, or its own with ManyTracksManyCodecs. */
  readonly fourCc: string;
  /** As on a single-track tag: SI24 for CodedFrames of avc1, hvc1 and vvc1, else 0. */
  readonly compositionTime: number;
  /** The track's codec data: a view into the payload. */
  readonly body: Buffer;
}

/** An E-RTMP Multitrack video message: one frame and packet type for all tracks, then the tracks. */
export interface MultitrackVideoTag extends VideoTagBase {
  readonly isExHeader: true;
  readonly isMultitrack: true;
  readonly isCommandFrame: false;
  /** AvMultitrackType: OneTrack, ManyTracks or ManyTracksManyCodecs. */
  readonly multitrackType: number;
  /** The packet type every track carries, in VideoPacketType numbers. */
  readonly packetType: number;
  /** The FourCC shared by all tracks; undefined with ManyTracksManyCodecs. */
  readonly fourCc: string | undefined;
  /** The tracks in message order (at least one). */
  readonly tracks: readonly VideoTrack[];
}

/**
 * A parsed RTMP video message (an FLV VIDEODATA tag body). Narrow with `isCommandFrame` and
 * `isMultitrack`; the convenience flags on every variant are what a GOP cache or recorder needs.
 */
export type VideoTag = SingleTrackVideoTag | VideoCommandTag | MultitrackVideoTag;
