/**
 * Limits the protocol core enforces as soon as a header announces a size, before buffering
 * anything. Each has a default that real encoders never hit; each is overridable per server.
 */
export interface ProtocolLimits {
  /**
   * Largest message accepted, in bytes. The wire allows 16,777,215 (24 bits); nginx-rtmp's
   * 1 MiB default drops 4K keyframes, so the default here is the whole 24-bit range.
   */
  readonly maxMessageSize: number;
  /**
   * Largest chunk size a peer may announce with SetChunkSize. Above 0xFFFFFF a chunk size
   * changes nothing (no message is larger), so larger values only come from broken or hostile
   * peers and are refused.
   */
  readonly maxChunkSize: number;
  /** Most chunk streams that may be in use at once on one connection (the csid range is 65,598). */
  readonly maxChunkStreams: number;
  /**
   * Most bytes held in messages that are not yet complete, over all chunk streams. This is what
   * bounds a connection's memory when a peer announces big messages and never finishes them.
   */
  readonly maxPendingMessageBytes: number;
  /** Deepest nesting of AMF objects and arrays accepted when decoding. */
  readonly maxAmfDepth: number;
}

export const DEFAULT_PROTOCOL_LIMITS: ProtocolLimits = {
  maxMessageSize: 16 * 1024 * 1024,
  maxChunkSize: 0xffffff,
  maxChunkStreams: 64,
  maxPendingMessageBytes: 32 * 1024 * 1024,
  maxAmfDepth: 64,
};

/** The chunk size every RTMP connection starts with, in both directions (SPEC §5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** Largest value the 24-bit message length field can carry. */
export const MAX_WIRE_MESSAGE_SIZE = 0xffffff;
