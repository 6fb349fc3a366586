import { ByteReader } from '../buffer/byte-reader';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { AvMultitrackType } from './ex-header.constants';
import { fourCcFromCode } from './four-cc';
import { readModEx } from './mod-ex.parser';
import { checkMultitrackByte, readTracks } from './multitrack.parser';
import {
  carriesCompositionTime,
  videoCodecFromCodecId,
  videoCodecFromFourCc,
  type VideoCodec,
} from './video-codec';
import { VideoCodecId, VideoFrameType, VideoPacketType } from './video-tag.constants';
import type {
  MultitrackVideoTag,
  SingleTrackVideoTag,
  VideoCommandTag,
  VideoTag,
  VideoTrack,
} from './video-tag.types';

const WHAT = 'FLV video tag header';

/**
 * Parses an RTMP video message payload (an FLV VIDEODATA tag body): a legacy FrameType/CodecID
 * byte (plus AVCPacketType and CompositionTime for AVC and legacy HEVC), or an E-RTMP v1/v2
 * ExVideoTagHeader with ModEx, command frames, Metadata and Multitrack. Bodies are views into
 * `payload`, never copies: copy them before keeping them past the current tick.
 *
 * Unknown CodecIDs, FourCCs and packet types are returned as sent, so pass-through never depends
 * on this library knowing a codec. Throws a {@link TruncatedDataError} when a header field is cut
 * short and a {@link FlvDecodeError} when the structure cannot be true; nothing else.
 */
export function parseVideoTag(payload: Buffer): VideoTag {
  if (payload.length === 0) throw new TruncatedDataError(WHAT, 0, 1, 0);
  const first = payload[0];
  if ((first & 0x80) !== 0) return parseExVideoTag(payload, first);

  // The legacy layouts are fixed-size, so length checks cover them and no cursor is needed on
  // the path nearly every video message takes.
  const frameType = first >> 4;
  const codecId = first & 0x0f;
  const codec = videoCodecFromCodecId(codecId);
  if (frameType === VideoFrameType.Command) {
    // E-RTMP v2 reads the command byte straight after the first byte for legacy tags too.
    if (payload.length < 2) throw new TruncatedDataError(WHAT, 1, 1, 0);
    return commandTag(false, frameType, payload[1], codec, codecId, 0, payload.subarray(2));
  }
  if (codecId === VideoCodecId.Avc || codecId === VideoCodecId.LegacyHevc) {
    if (payload.length < 5) throw new TruncatedDataError(WHAT, 1, 4, payload.length - 1);
    // The CompositionTime is returned as sent even where the spec says it must be 0, so that a
    // rebuilt header is byte-identical.
    return singleTrackTag(
      false,
      frameType,
      payload[1],
      codec,
      codecId,
      undefined,
      payload.readIntBE(2, 3),
      0,
      payload.subarray(5),
    );
  }
  return singleTrackTag(
    false,
    frameType,
    VideoPacketType.CodedFrames,
    codec,
    codecId,
    undefined,
    0,
    0,
    payload.subarray(1),
  );
}

function parseExVideoTag(payload: Buffer, first: number): VideoTag {
  const frameType = (first >> 4) & 0x07;
  let packetType = first & 0x0f;
  const reader = new ByteReader(payload, WHAT, 1);
  let timestampOffsetNano = 0;
  if (packetType === VideoPacketType.ModEx) {
    const modEx = readModEx(payload, reader);
    packetType = modEx.packetType;
    timestampOffsetNano = modEx.timestampOffsetNano;
  }
  // A command frame has no FourCC: the command byte comes straight after the header (and any
  // ModEx). Metadata is the exception, because its FrameType is to be ignored.
  if (frameType === VideoFrameType.Command && packetType !== VideoPacketType.Metadata) {
    const command = reader.u8();
    return commandTag(
      true,
      frameType,
      command,
      'unknown',
      undefined,
      timestampOffsetNano,
      reader.rest(),
    );
  }
  if (packetType === VideoPacketType.Multitrack) {
    return parseMultitrackVideo(payload, reader, frameType, timestampOffsetNano);
  }

  const fourCc = fourCcFromCode(reader.u32());
  const compositionTime = carriesCompositionTime(packetType, fourCc) ? reader.i24() : 0;
  return singleTrackTag(
    true,
    frameType,
    packetType,
    videoCodecFromFourCc(fourCc),
    undefined,
    fourCc,
    compositionTime,
    timestampOffsetNano,
    reader.rest(),
  );
}

function parseMultitrackVideo(
  payload: Buffer,
  reader: ByteReader,
  frameType: number,
  timestampOffsetNano: number,
): MultitrackVideoTag {
  const typeByte = reader.u8();
  const multitrackType = typeByte >> 4;
  const packetType = typeByte & 0x0f;
  checkMultitrackByte('video', multitrackType, packetType, VideoPacketType.Multitrack);
  const fourCc =
    multitrackType === AvMultitrackType.ManyTracksManyCodecs
      ? undefined
      : fourCcFromCode(reader.u32());
  const tracks = readTracks(payload, reader, multitrackType, packetType, fourCc, decodeVideoTrack);
  return {
    kind: 'video',
    isExHeader: true,
    isMultitrack: true,
    isCommandFrame: false,
    frameType,
    isKeyFrame: isKeyFrame(frameType, packetType),
    isSequenceHeader: isSequenceHeader(packetType),
    isSequenceEnd: packetType === VideoPacketType.SequenceEnd,
    timestampOffsetNano,
    multitrackType,
    packetType,
    fourCc,
    tracks,
  };
}

function decodeVideoTrack(
  payload: Buffer,
  start: number,
  end: number,
  trackId: number,
  fourCc: string,
  packetType: number,
): VideoTrack {
  let compositionTime = 0;
  let bodyStart = start;
  if (carriesCompositionTime(packetType, fourCc)) {
    if (end - start < 3) {
      throw new TruncatedDataError('FLV video track composition time', start, 3, end - start);
    }
    compositionTime = payload.readIntBE(start, 3);
    bodyStart += 3;
  }
  return {
    trackId,
    codec: videoCodecFromFourCc(fourCc),
    fourCc,
    compositionTime,
    body: payload.subarray(bodyStart, end),
  };
}

function isKeyFrame(frameType: number, packetType: number): boolean {
  return (
    (frameType === VideoFrameType.KeyFrame || frameType === VideoFrameType.GeneratedKeyFrame) &&
    (packetType === VideoPacketType.CodedFrames || packetType === VideoPacketType.CodedFramesX)
  );
}

function isSequenceHeader(packetType: number): boolean {
  return (
    packetType === VideoPacketType.SequenceStart ||
    packetType === VideoPacketType.Mpeg2TsSequenceStart
  );
}

// The two builders below keep one property order per variant, so every tag of a variant shares
// one hidden class and the code that reads them stays monomorphic.

function singleTrackTag(
  isExHeader: boolean,
  frameType: number,
  packetType: number,
  codec: VideoCodec,
  codecId: number | undefined,
  fourCc: string | undefined,
  compositionTime: number,
  timestampOffsetNano: number,
  body: Buffer,
): SingleTrackVideoTag {
  // A legacy AVCPacketType only knows 0 to 2: its 3 and 5 are not CodedFramesX or
  // MPEG2TSSequenceStart.
  const keyFrame = isExHeader
    ? isKeyFrame(frameType, packetType)
    : isKeyFrame(frameType, packetType) && packetType === VideoPacketType.CodedFrames;
  const sequenceHeader = isExHeader
    ? isSequenceHeader(packetType)
    : packetType === VideoPacketType.SequenceStart;
  return {
    kind: 'video',
    isExHeader,
    isMultitrack: false,
    isCommandFrame: false,
    frameType,
    isKeyFrame: keyFrame,
    isSequenceHeader: sequenceHeader,
    isSequenceEnd: packetType === VideoPacketType.SequenceEnd,
    timestampOffsetNano,
    packetType,
    codec,
    codecId,
    fourCc,
    trackId: 0,
    compositionTime,
    body,
  };
}

function commandTag(
  isExHeader: boolean,
  frameType: number,
  command: number,
  codec: VideoCodec,
  codecId: number | undefined,
  timestampOffsetNano: number,
  body: Buffer,
): VideoCommandTag {
  return {
    kind: 'video',
    isExHeader,
    isMultitrack: false,
    isCommandFrame: true,
    frameType,
    isKeyFrame: false,
    isSequenceHeader: false,
    isSequenceEnd: false,
    timestampOffsetNano,
    command,
    codec,
    codecId,
    fourCc: undefined,
    trackId: 0,
    compositionTime: 0,
    body,
  };
}
