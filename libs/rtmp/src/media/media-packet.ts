import { AmfObject, AmfValue } from '../protocol/amf/amf-value';
import { AmfDecodeOptions } from '../protocol/amf/amf.options';
import { dataMessageBody } from '../protocol/command/data-message.builder';
import { decodeDataMessage, metaDataOf } from '../protocol/command/data-message.parser';
import { AudioPacketType } from '../protocol/flv/audio-tag.constants';
import { AudioTag } from '../protocol/flv/audio-tag.types';
import { parseAudioTag } from '../protocol/flv/audio-tag.parser';
import { VideoPacketType } from '../protocol/flv/video-tag.constants';
import { parseVideoTag } from '../protocol/flv/video-tag.parser';
import { MessageType } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { VideoTag } from '../protocol/flv/video-tag.types';

/**
 * One message of a live stream as consumers see it. `payload` is the whole RTMP message body
 * (the FLV tag body, byte-exact, ready to relay or record) and is a view into socket memory:
 * copy it (`Buffer.from(payload)`) to keep it beyond the current tick.
 */
interface PacketBase {
  /** Milliseconds, uint32, as the publisher stamped it. */
  readonly timestamp: number;
  readonly payload: Buffer;
}

export interface AudioPacket extends PacketBase {
  readonly type: 'audio';
  /** Parsed legacy or Enhanced RTMP audio header; `tag.body` is the codec data. */
  readonly tag: AudioTag;
}

export interface VideoPacket extends PacketBase {
  readonly type: 'video';
  /** Parsed legacy or Enhanced RTMP video header; `tag.body` is the codec data. */
  readonly tag: VideoTag;
}

/**
 * A data message (`onMetaData` and friends) with `@setDataFrame` stripped: `payload` is the
 * AMF0 body starting at the name, the form FLV files and players expect.
 */
export interface MetadataPacket extends PacketBase {
  readonly type: 'metadata';
  /** `onMetaData`, `onTextData`, `onCuePoint`... */
  readonly name: string;
  /** The values after the name. */
  readonly values: readonly AmfValue[];
  /** For `onMetaData`: its object (width, height, framerate, codec ids...). */
  readonly metadata: AmfObject | undefined;
}

export type MediaPacket = AudioPacket | VideoPacket | MetadataPacket;

/**
 * Whether `packet` configures a decoder rather than carrying media: a sequence header, an
 * E-RTMP video Metadata packet (`colorInfo`, HDR) or an audio MultichannelConfig. A player or
 * consumer that starts mid-stream needs the latest of each, and none is ever skipped.
 */
export function isDecoderConfiguration(packet: AudioPacket | VideoPacket): boolean {
  const { tag } = packet;
  if (tag.isSequenceHeader) return true;
  if (packet.type === 'video') {
    return !packet.tag.isCommandFrame && packet.tag.packetType === VideoPacketType.Metadata;
  }
  return !packet.tag.isSilence && packet.tag.packetType === AudioPacketType.MultichannelConfig;
}

/** Metadata and decoder configuration: what is always delivered, in order, never skipped. */
export function isConfigurationPacket(packet: MediaPacket): boolean {
  return packet.type === 'metadata' || isDecoderConfiguration(packet);
}

/**
 * The packet an audio or video message carries, its FLV header parsed; the payload stays the
 * message's own view. Throws the parser's typed error for a header it cannot read.
 */
export function mediaPacketOf(
  message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>,
): AudioPacket | VideoPacket {
  const { timestamp, payload } = message;
  return message.typeId === MessageType.Audio
    ? { type: 'audio', timestamp, payload, tag: parseAudioTag(payload) }
    : { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

/**
 * The metadata packet a data message carries (`onMetaData`, `onTextData`...): `@setDataFrame`
 * stripped from the payload, onMetaData's object read. Throws the decoder's typed error for a
 * message it cannot read.
 */
export function metadataPacketOf(
  message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>,
  options: AmfDecodeOptions,
): MetadataPacket {
  const data = decodeDataMessage(message.payload, message.typeId, options);
  return {
    type: 'metadata',
    timestamp: message.timestamp,
    payload: dataMessageBody(message, data.name, data.values),
    name: data.name,
    values: data.values,
    metadata: metaDataOf(data),
  };
}

/**
 * The RTMP message type that carries `packet`: audio, video, or AMF0 data for metadata. FLV
 * tag types are the same numbers, so a recording uses it too.
 */
export function messageTypeOf(packet: MediaPacket): MessageType {
  if (packet.type === 'audio') return MessageType.Audio;
  return packet.type === 'video' ? MessageType.Video : MessageType.DataAmf0;
}
