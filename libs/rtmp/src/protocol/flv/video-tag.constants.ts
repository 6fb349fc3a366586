/**
 * FrameType: bits 7-4 of a legacy video byte, bits 6-4 of an E-RTMP one (bit 7 is IsExHeader).
 * 0, 6 and 7 are reserved.
 */
export const VideoFrameType = {
  /** A seekable frame. */
  KeyFrame: 1,
  InterFrame: 2,
  /** H.263 only. */
  DisposableInterFrame: 3,
  /** A seekable frame a server made up; reserved for server use. */
  GeneratedKeyFrame: 4,
  /** No picture: a VideoCommand byte follows instead (unless the packet type is Metadata). */
  Command: 5,
} as const;
export type VideoFrameType = (typeof VideoFrameType)[keyof typeof VideoFrameType];

/** Legacy CodecID, the low 4 bits of a legacy video byte. */
export const VideoCodecId = {
  SorensonH263: 2,
  Screen: 3,
  On2Vp6: 4,
  On2Vp6Alpha: 5,
  ScreenV2: 6,
  Avc: 7,
  /**
   * HEVC in the AVC layout: not in any Adobe or E-RTMP spec, but sent by Chinese CDNs and the
   * patched FFmpeg builds that follow them. New senders should use the E-RTMP `hvc1` FourCC.
   */
  LegacyHevc: 12,
} as const;
export type VideoCodecId = (typeof VideoCodecId)[keyof typeof VideoCodecId];

/** Legacy AVCPacketType (also used by codec 12). Same numbers as VideoPacketType 0 to 2. */
export const AvcPacketType = {
  /** AVCDecoderConfigurationRecord. */
  SequenceHeader: 0,
  /** Length-prefixed NAL units. */
  Nalu: 1,
  EndOfSequence: 2,
} as const;
export type AvcPacketType = (typeof AvcPacketType)[keyof typeof AvcPacketType];

/** E-RTMP VideoPacketType, the low 4 bits of the first byte when IsExHeader is set. */
export const VideoPacketType = {
  SequenceStart: 0,
  /** Coded frames; for avc1, hvc1 and vvc1 an SI24 composition time comes first. */
  CodedFrames: 1,
  SequenceEnd: 2,
  /** Coded frames with an implied composition time of 0 (no SI24 on the wire). */
  CodedFramesX: 3,
  /** AMF-encoded metadata such as `colorInfo`; the frame type is ignored. */
  Metadata: 4,
  /** Sequence start carried as an MPEG-2 TS descriptor (AV1). */
  Mpeg2TsSequenceStart: 5,
  /** A multitrack byte follows: AvMultitrackType high, the tracks' packet type low. */
  Multitrack: 6,
  /** A modifier (such as TimestampOffsetNano) precedes the real packet type. */
  ModEx: 7,
} as const;
export type VideoPacketType = (typeof VideoPacketType)[keyof typeof VideoPacketType];

/** The UI8 a command frame (FrameType 5) carries instead of a picture. */
export const VideoCommand = {
  StartSeek: 0,
  EndSeek: 1,
} as const;
export type VideoCommand = (typeof VideoCommand)[keyof typeof VideoCommand];

/** E-RTMP video FourCCs (v1: av01, vp09, hvc1; v2: avc1, vp08, vvc1). */
export const VideoFourCc = {
  Vp8: 'vp08',
  Vp9: 'vp09',
  Av1: 'av01',
  Avc: 'avc1',
  Hevc: 'hvc1',
  Vvc: 'vvc1',
} as const;
export type VideoFourCc = (typeof VideoFourCc)[keyof typeof VideoFourCc];
