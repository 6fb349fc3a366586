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

/**
 * Chunk stream ids this library writes with. Control and commands follow the spec (2, 3);
 * status, audio and video follow nginx-rtmp's output convention (5, 6, 7), which players are
 * used to; metadata gets its own so it never shares header compression with media.
 */
export const ChunkStreamId = {
  ProtocolControl: 2,
  Command: 3,
  Status: 5,
  Audio: 6,
  Video: 7,
  Data: 8,
} as const;
