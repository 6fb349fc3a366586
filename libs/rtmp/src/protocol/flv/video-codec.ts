import { VideoCodecId, VideoFourCc, VideoPacketType } from './video-tag.constants';

/**
 * The codec of a video message, the same whichever way it was signalled: legacy CodecID 7 and
 * E-RTMP `avc1` are both `'h264'`; legacy CodecID 12 and `hvc1` are both `'hevc'`. `'unknown'`
 * covers reserved CodecIDs, FourCCs this library does not name, and E-RTMP command frames (which
 * carry no FourCC); the raw value is still on the tag.
 */
export type VideoCodec =
  | 'h263'
  | 'screen'
  | 'vp6'
  | 'vp6a'
  | 'screen2'
  | 'h264'
  | 'hevc'
  | 'av1'
  | 'vp8'
  | 'vp9'
  | 'vvc'
  | 'unknown';

/** The codec a legacy CodecID names. */
export function videoCodecFromCodecId(codecId: number): VideoCodec {
  switch (codecId) {
    case VideoCodecId.SorensonH263:
      return 'h263';
    case VideoCodecId.Screen:
      return 'screen';
    case VideoCodecId.On2Vp6:
      return 'vp6';
    case VideoCodecId.On2Vp6Alpha:
      return 'vp6a';
    case VideoCodecId.ScreenV2:
      return 'screen2';
    case VideoCodecId.Avc:
      return 'h264';
    case VideoCodecId.LegacyHevc:
      return 'hevc';
    default:
      return 'unknown';
  }
}

/** The codec an E-RTMP video FourCC names. */
export function videoCodecFromFourCc(fourCc: string): VideoCodec {
  switch (fourCc) {
    case VideoFourCc.Avc:
      return 'h264';
    case VideoFourCc.Hevc:
      return 'hevc';
    case VideoFourCc.Av1:
      return 'av1';
    case VideoFourCc.Vp8:
      return 'vp8';
    case VideoFourCc.Vp9:
      return 'vp9';
    case VideoFourCc.Vvc:
      return 'vvc';
    default:
      return 'unknown';
  }
}

/**
 * Whether an E-RTMP packet starts with an SI24 composition time: only CodedFrames of the codecs
 * with B-frame reordering in their ISO BMFF mapping (avc1, hvc1, vvc1). The VP and AV1 families
 * have none, and CodedFramesX exists precisely to leave it out.
 */
export function carriesCompositionTime(packetType: number, fourCc: string): boolean {
  return (
    packetType === VideoPacketType.CodedFrames &&
    (fourCc === VideoFourCc.Avc || fourCc === VideoFourCc.Hevc || fourCc === VideoFourCc.Vvc)
  );
}
