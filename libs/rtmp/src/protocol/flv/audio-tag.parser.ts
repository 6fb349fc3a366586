import { ByteReader } from '../buffer/byte-reader';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { audioCodecFromFourCc, audioCodecFromSoundFormat } from './audio-codec';
import { AudioPacketType, SoundFormat } from './audio-tag.constants';
import type {
  AudioTag,
  AudioTrack,
  MultitrackAudioTag,
  SilentAudioTag,
  SingleTrackAudioTag,
} from './audio-tag.types';
import { AvMultitrackType } from './ex-header.constants';
import { fourCcFromCode } from './four-cc';
import { readModEx } from './mod-ex.parser';
import { readMultichannelConfig } from './multichannel-config.parser';
import { checkMultitrackByte, readTracks } from './multitrack.parser';

const WHAT = 'FLV audio tag header';

/**
 * Parses an RTMP audio message payload (an FLV AUDIODATA tag body): legacy SoundFormat byte
 * (plus AACPacketType for AAC), or an E-RTMP v2 ExAudioTagHeader with ModEx, MultichannelConfig
 * and Multitrack. Bodies are views into `payload`, never copies: copy them before keeping them
 * past the current tick.
 *
 * Unknown SoundFormats, FourCCs and packet types are returned as sent, so pass-through never
 * depends on this library knowing a codec. Throws a {@link TruncatedDataError} when a header field
 * is cut short and a {@link FlvDecodeError} when the structure cannot be true; nothing else.
 */
export function parseAudioTag(payload: Buffer): AudioTag {
  if (payload.length === 0) return silence(payload);
  const first = payload[0];
  const soundFormat = first >> 4;
  if (soundFormat === SoundFormat.ExHeader) return parseExAudioTag(payload, first & 0x0f);

  // The legacy layouts are fixed-size, so one length check covers them and no cursor is needed
  // on the path nearly every audio message takes.
  let packetType: number = AudioPacketType.CodedFrames;
  let bodyStart = 1;
  if (soundFormat === SoundFormat.Aac) {
    if (payload.length < 2) throw new TruncatedDataError(WHAT, 1, 1, 0);
    packetType = payload[1];
    bodyStart = 2;
  }
  const tag: SingleTrackAudioTag = {
    kind: 'audio',
    isExHeader: false,
    isSilence: false,
    isMultitrack: false,
    isSequenceHeader:
      soundFormat === SoundFormat.Aac && packetType === AudioPacketType.SequenceStart,
    isSequenceEnd: false,
    timestampOffsetNano: 0,
    soundFormat,
    soundRate: (first >> 2) & 0x03,
    soundSize: (first >> 1) & 0x01,
    soundType: first & 0x01,
    packetType,
    codec: audioCodecFromSoundFormat(soundFormat),
    fourCc: undefined,
    trackId: 0,
    multichannelConfig: undefined,
    body: payload.subarray(bodyStart),
  };
  return tag;
}

function silence(payload: Buffer): SilentAudioTag {
  return {
    kind: 'audio',
    isExHeader: false,
    isSilence: true,
    isMultitrack: false,
    isSequenceHeader: false,
    isSequenceEnd: false,
    timestampOffsetNano: 0,
    body: payload,
  };
}

function parseExAudioTag(payload: Buffer, firstPacketType: number): AudioTag {
  const reader = new ByteReader(payload, WHAT, 1);
  let packetType = firstPacketType;
  let timestampOffsetNano = 0;
  if (packetType === AudioPacketType.ModEx) {
    const modEx = readModEx(payload, reader);
    packetType = modEx.packetType;
    timestampOffsetNano = modEx.timestampOffsetNano;
  }
  if (packetType === AudioPacketType.Multitrack) {
    return parseMultitrackAudio(payload, reader, timestampOffsetNano);
  }

  const fourCc = fourCcFromCode(reader.u32());
  const multichannelConfig =
    packetType === AudioPacketType.MultichannelConfig ? readMultichannelConfig(reader) : undefined;
  const tag: SingleTrackAudioTag = {
    kind: 'audio',
    isExHeader: true,
    isSilence: false,
    isMultitrack: false,
    isSequenceHeader: packetType === AudioPacketType.SequenceStart,
    isSequenceEnd: packetType === AudioPacketType.SequenceEnd,
    timestampOffsetNano,
    soundFormat: SoundFormat.ExHeader,
    soundRate: undefined,
    soundSize: undefined,
    soundType: undefined,
    packetType,
    codec: audioCodecFromFourCc(fourCc),
    fourCc,
    trackId: 0,
    multichannelConfig,
    body: reader.rest(),
  };
  return tag;
}

function parseMultitrackAudio(
  payload: Buffer,
  reader: ByteReader,
  timestampOffsetNano: number,
): MultitrackAudioTag {
  const typeByte = reader.u8();
  const multitrackType = typeByte >> 4;
  const packetType = typeByte & 0x0f;
  checkMultitrackByte('audio', multitrackType, packetType, AudioPacketType.Multitrack);
  const fourCc =
    multitrackType === AvMultitrackType.ManyTracksManyCodecs
      ? undefined
      : fourCcFromCode(reader.u32());
  const tracks = readTracks(payload, reader, multitrackType, packetType, fourCc, decodeAudioTrack);
  return {
    kind: 'audio',
    isExHeader: true,
    isSilence: false,
    isMultitrack: true,
    isSequenceHeader: packetType === AudioPacketType.SequenceStart,
    isSequenceEnd: packetType === AudioPacketType.SequenceEnd,
    timestampOffsetNano,
    soundFormat: SoundFormat.ExHeader,
    multitrackType,
    packetType,
    fourCc,
    tracks,
  };
}

function decodeAudioTrack(
  payload: Buffer,
  start: number,
  end: number,
  trackId: number,
  fourCc: string,
  packetType: number,
): AudioTrack {
  let multichannelConfig;
  let bodyStart = start;
  if (packetType === AudioPacketType.MultichannelConfig) {
    const reader = new ByteReader(payload, 'FLV audio track multichannel config', start, end);
    multichannelConfig = readMultichannelConfig(reader);
    bodyStart = reader.offset;
  }
  return {
    trackId,
    codec: audioCodecFromFourCc(fourCc),
    fourCc,
    multichannelConfig,
    body: payload.subarray(bodyStart, end),
  };
}
