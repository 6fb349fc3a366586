/**
 * One complete RTMP message as the chunk reader hands it out and the chunk writer takes it.
 * `payload` is a view into socket memory whenever the message arrived in one buffer: copy it
 * before keeping it past the current tick.
 */
export interface RtmpMessage {
  /** Chunk stream it travelled on (2..65599). */
  readonly chunkStreamId: number;
  /** Message stream id (0 for the connection, 1.. for streams made by createStream). */
  readonly messageStreamId: number;
  /** Message type id, see `MessageType`. */
  readonly typeId: number;
  /** Absolute timestamp in milliseconds, modulo 2^32. */
  readonly timestamp: number;
  readonly payload: Buffer;
}
