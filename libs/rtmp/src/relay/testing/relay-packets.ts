import { encodeDataMessage } from '../../protocol/command/data-message.builder';
import { parseAudioTag } from '../../protocol/flv/audio-tag.parser';
import { parseVideoTag } from '../../protocol/flv/video-tag.parser';
import { AudioPacket, MetadataPacket, VideoPacket } from '../../media/media-packet';

/*
 * Small packets for the relay specs, each frame marked by its last byte (`id`) so a test can
 * tell which one went out: `kindOf` names them as the fake client records them.
 */

export function video(bytes: number[], timestamp: number): VideoPacket {
  const payload = Buffer.from(bytes);
  return { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

export function audio(bytes: number[], timestamp: number): AudioPacket {
  const payload = Buffer.from(bytes);
  return { type: 'audio', timestamp, payload, tag: parseAudioTag(payload) };
}

export const videoHeader = (t = 0) => video([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff], t);
export const keyFrame = (t: number, id = 0xaa) => video([0x17, 0x01, 0, 0, 0, id], t);
export const interFrame = (t: number, id = 0xbb) => video([0x27, 0x01, 0, 0, 0, id], t);
export const audioHeader = (t = 0) => audio([0xaf, 0x00, 0x12, 0x10], t);
export const audioFrame = (t: number, id = 0xcc) => audio([0xaf, 0x01, id], t);

export function metadataPacket(): MetadataPacket {
  return {
    type: 'metadata',
    timestamp: 0,
    name: 'onMetaData',
    values: [{ width: 320 }],
    metadata: { width: 320 },
    payload: encodeDataMessage('onMetaData', { width: 320 }),
  };
}

export const kindOf = (packet: VideoPacket | AudioPacket): string =>
  `${packet.type}:${packet.payload.toString('hex')}`;
