/**
 * SoundFormat, the high 4 bits of an audio tag's first byte (FLV E.4.2.1; E-RTMP v2 adds 9).
 * Values not listed (12, 13) are reserved; the parser passes them through.
 */
export const SoundFormat = {
  /** Linear PCM, platform endian. */
  LinearPcmPlatformEndian: 0,
  Adpcm: 1,
  Mp3: 2,
  LinearPcmLittleEndian: 3,
  Nellymoser16kMono: 4,
  Nellymoser8kMono: 5,
  Nellymoser: 6,
  G711ALaw: 7,
  G711MuLaw: 8,
  /** E-RTMP v2: the low 4 bits are an AudioPacketType and a FourCC names the codec. */
  ExHeader: 9,
  Aac: 10,
  Speex: 11,
  Mp38k: 14,
  DeviceSpecific: 15,
} as const;
export type SoundFormat = (typeof SoundFormat)[keyof typeof SoundFormat];

/** SoundRate, bits 3-2 of a legacy audio byte. AAC always says 44 kHz; the real rate is in the AudioSpecificConfig. */
export const SoundRate = {
  Rate5_5kHz: 0,
  Rate11kHz: 1,
  Rate22kHz: 2,
  Rate44kHz: 3,
} as const;
export type SoundRate = (typeof SoundRate)[keyof typeof SoundRate];

/** SoundSize, bit 1 of a legacy audio byte (compressed formats always say 16-bit). */
export const SoundSize = {
  Bits8: 0,
  Bits16: 1,
} as const;
export type SoundSize = (typeof SoundSize)[keyof typeof SoundSize];

/** SoundType, bit 0 of a legacy audio byte. */
export const SoundType = {
  Mono: 0,
  Stereo: 1,
} as const;
export type SoundType = (typeof SoundType)[keyof typeof SoundType];

/** Legacy AACPacketType, the byte after 0xAF. Same numbers as AudioPacketType 0 and 1. */
export const AacPacketType = {
  /** AudioSpecificConfig. */
  SequenceHeader: 0,
  Raw: 1,
} as const;
export type AacPacketType = (typeof AacPacketType)[keyof typeof AacPacketType];

/** E-RTMP v2 AudioPacketType, the low 4 bits of the first byte when SoundFormat is ExHeader. */
export const AudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  /** Channel order and count (plus a mask or a per-channel map), for codecs that lack them. */
  MultichannelConfig: 4,
  /** A multitrack byte follows: AvMultitrackType high, the tracks' packet type low. */
  Multitrack: 5,
  /** A modifier (such as TimestampOffsetNano) precedes the real packet type. */
  ModEx: 7,
} as const;
export type AudioPacketType = (typeof AudioPacketType)[keyof typeof AudioPacketType];

/** E-RTMP v2 audio FourCCs. Others may appear; the parser returns them unchanged. */
export const AudioFourCc = {
  Ac3: 'ac-3',
  Eac3: 'ec-3',
  Opus: 'Opus',
  Mp3: '.mp3',
  Flac: 'fLaC',
  Aac: 'mp4a',
} as const;
export type AudioFourCc = (typeof AudioFourCc)[keyof typeof AudioFourCc];
