import { encodeDataMessage } from '../../protocol/command/data-message.builder';
import { AacPacketType, SoundFormat } from '../../protocol/flv/audio-tag.constants';
import { buildLegacyAudioHeader } from '../../protocol/flv/audio-tag.builder';
import { parseAudioTag } from '../../protocol/flv/audio-tag.parser';
import { AvMultitrackType } from '../../protocol/flv/ex-header.constants';
import {
  buildLegacyVideoHeader,
  buildMultitrackVideoPayload,
} from '../../protocol/flv/video-tag.builder';
import {
  AvcPacketType,
  VideoCodecId,
  VideoFrameType,
  VideoFourCc,
  VideoPacketType,
} from '../../protocol/flv/video-tag.constants';
import { parseVideoTag } from '../../protocol/flv/video-tag.parser';
import { AudioPacket, MetadataPacket, VideoPacket } from '../media-packet';
import { StreamRequest } from '../../server/stream-request';

/*
 * Packets and requests for the server's unit specs, built with the protocol core's builders
 * and parsed by its parsers, as a session would hand them to a LiveStream.
 */

export type VideoKind = 'header' | 'key' | 'inter';

/** A legacy AVC video packet; `bodySize` filler bytes follow the 5-byte header. */
export function videoPacket(timestamp: number, kind: VideoKind, bodySize = 16): VideoPacket {
  const header = buildLegacyVideoHeader({
    frameType: kind === 'inter' ? VideoFrameType.InterFrame : VideoFrameType.KeyFrame,
    codecId: VideoCodecId.Avc,
    packetType: kind === 'header' ? AvcPacketType.SequenceHeader : AvcPacketType.Nalu,
  });
  const payload = Buffer.concat([header, Buffer.alloc(bodySize, timestamp & 0xff)]);
  return { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

/** A legacy AAC audio packet (the sequence header when `header`). */
export function audioPacket(timestamp: number, header = false, bodySize = 8): AudioPacket {
  const first = buildLegacyAudioHeader({
    soundFormat: SoundFormat.Aac,
    packetType: header ? AacPacketType.SequenceHeader : AacPacketType.Raw,
  });
  const payload = Buffer.concat([first, Buffer.alloc(bodySize, timestamp & 0xff)]);
  return { type: 'audio', timestamp, payload, tag: parseAudioTag(payload) };
}

/** An E-RTMP Multitrack (OneTrack) hvc1 video packet for track `trackId`. */
export function multitrackVideoPacket(
  timestamp: number,
  trackId: number,
  kind: VideoKind,
): VideoPacket {
  const payload = Buffer.concat(
    buildMultitrackVideoPayload({
      frameType: kind === 'inter' ? VideoFrameType.InterFrame : VideoFrameType.KeyFrame,
      multitrackType: AvMultitrackType.OneTrack,
      packetType: kind === 'header' ? VideoPacketType.SequenceStart : VideoPacketType.CodedFramesX,
      fourCc: VideoFourCc.Hevc,
      tracks: [{ trackId, body: Buffer.alloc(12, trackId) }],
    }),
  );
  return { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

/** An onMetaData packet as the session delivers it (`@setDataFrame` already stripped). */
export function metadataPacket(timestamp = 0, width = 320): MetadataPacket {
  const metadata = { width, height: 240 };
  return {
    type: 'metadata',
    timestamp,
    payload: encodeDataMessage('onMetaData', metadata),
    name: 'onMetaData',
    values: [metadata],
    metadata,
  };
}

export function publishRequest(overrides: Partial<StreamRequest> = {}): StreamRequest {
  return {
    action: 'publish',
    sessionId: 1,
    app: 'live',
    streamName: 'key',
    query: {},
    publishType: 'live',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    flashVer: 'FMLE/3.0',
    connectObject: {},
    remoteAddress: '127.0.0.1',
    remotePort: 50_000,
    ...overrides,
  };
}

/** An E-RTMP hvc1 video Metadata packet, as OBS sends it (0x84): `colorInfo` in AMF0. */
export function colorInfoPacket(timestamp: number, maxLuminance = 1000): VideoPacket {
  const header = Buffer.from([0x84, ...Buffer.from('hvc1')]);
  const body = encodeDataMessage('colorInfo', {
    hdrMdcv: { maxLuminance },
    colorConfig: { bitDepth: 10 },
  });
  const payload = Buffer.concat([header, body]);
  return { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

/** An E-RTMP Opus MultichannelConfig (Native order, `channelCount` channels, mask 0x3F). */
export function multichannelConfigPacket(timestamp: number, channelCount = 6): AudioPacket {
  const payload = Buffer.from([0x94, ...Buffer.from('Opus'), 0x01, channelCount, 0, 0, 0, 0x3f]);
  return { type: 'audio', timestamp, payload, tag: parseAudioTag(payload) };
}
