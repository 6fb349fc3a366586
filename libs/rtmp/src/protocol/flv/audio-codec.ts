import { AudioFourCc, SoundFormat } from './audio-tag.constants';

/**
 * The codec family of an audio message, the same whichever way it was signalled: legacy AAC
 * (SoundFormat 10) and E-RTMP `mp4a` are both `'aac'`. Variants within a family (PCM byte order,
 * Nellymoser rate, MP3 8 kHz) are told apart by `soundFormat`. `'unknown'` covers reserved
 * SoundFormats and FourCCs this library does not name; the raw value is still on the tag.
 */
export type AudioCodec =
  | 'pcm'
  | 'adpcm'
  | 'mp3'
  | 'nellymoser'
  | 'g711-alaw'
  | 'g711-mulaw'
  | 'aac'
  | 'speex'
  | 'device-specific'
  | 'opus'
  | 'flac'
  | 'ac3'
  | 'eac3'
  | 'unknown';

/** The codec family a legacy SoundFormat names (9, ExHeader, names none: see the FourCC). */
export function audioCodecFromSoundFormat(soundFormat: number): AudioCodec {
  switch (soundFormat) {
    case SoundFormat.LinearPcmPlatformEndian:
    case SoundFormat.LinearPcmLittleEndian:
      return 'pcm';
    case SoundFormat.Adpcm:
      return 'adpcm';
    case SoundFormat.Mp3:
    case SoundFormat.Mp38k:
      return 'mp3';
    case SoundFormat.Nellymoser16kMono:
    case SoundFormat.Nellymoser8kMono:
    case SoundFormat.Nellymoser:
      return 'nellymoser';
    case SoundFormat.G711ALaw:
      return 'g711-alaw';
    case SoundFormat.G711MuLaw:
      return 'g711-mulaw';
    case SoundFormat.Aac:
      return 'aac';
    case SoundFormat.Speex:
      return 'speex';
    case SoundFormat.DeviceSpecific:
      return 'device-specific';
    default:
      return 'unknown';
  }
}

/** The codec family an E-RTMP audio FourCC names. */
export function audioCodecFromFourCc(fourCc: string): AudioCodec {
  switch (fourCc) {
    case AudioFourCc.Aac:
      return 'aac';
    case AudioFourCc.Opus:
      return 'opus';
    case AudioFourCc.Flac:
      return 'flac';
    case AudioFourCc.Mp3:
      return 'mp3';
    case AudioFourCc.Ac3:
      return 'ac3';
    case AudioFourCc.Eac3:
      return 'eac3';
    default:
      return 'unknown';
  }
}
