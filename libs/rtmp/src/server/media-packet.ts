import { AmfObject, AmfValue } from '../protocol/amf/amf-value';
import { AudioTag } from '../protocol/flv/audio-tag.types';
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
