/** RTMP message type ids (SPEC §5.4, §7.1). */
export const MessageType = {
  SetChunkSize: 0x01,
  Abort: 0x02,
  Acknowledgement: 0x03,
  UserControl: 0x04,
  WindowAcknowledgementSize: 0x05,
  SetPeerBandwidth: 0x06,
  Audio: 0x08,
  Video: 0x09,
  DataAmf3: 0x0f,
  SharedObjectAmf3: 0x10,
  CommandAmf3: 0x11,
  DataAmf0: 0x12,
  SharedObjectAmf0: 0x13,
  CommandAmf0: 0x14,
  Aggregate: 0x16,
} as const;

export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The conventional chunk stream ids (FFmpeg's and OBS's, which servers mirror). */
export const ChunkStreamId = {
  ProtocolControl: 2,
  Command: 3,
  Status: 5,
  Audio: 6,
  Video: 7,
  Data: 5,
} as const;
