/**
 * Limits the protocol core enforces as soon as a header announces a size or bytes arrive, before
 * buffering them. Each has a default that real encoders never hit; each is overridable per server.
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
   * Most bytes held in messages that are not yet complete, over all chunk streams of one
   * connection. A message's buffer grows as its bytes arrive (a header's announced size is not
   * trusted until the peer is accepted), so this counts what a peer has actually sent.
   */
  readonly maxPendingMessageBytes: number;
  /**
   * Most messages a peer may start and then abandon (a new header on a chunk stream whose
   * message is unfinished, or an Abort) before its connection is closed. Each one delivered in
   * full earns back part of one, so an encoder that abandons one now and then (OBS does after a
   * network stall) never reaches it, while a peer that does nothing else soon does.
   */
  readonly maxAbandonedMessages: number;
  /** Deepest nesting of AMF objects and arrays accepted when decoding. */
  readonly maxAmfDepth: number;
  /**
   * Most object properties and array items one command or data message may decode to, all
   * containers together. A property costs the sender a few bytes and the decoder an object slot
   * many times that size; real commands and metadata hold a few dozen.
   */
  readonly maxAmfEntries: number;
}

export const DEFAULT_PROTOCOL_LIMITS: ProtocolLimits = {
  maxMessageSize: 16 * 1024 * 1024,
  maxChunkSize: 0xffffff,
  maxChunkStreams: 64,
  maxPendingMessageBytes: 32 * 1024 * 1024,
  maxAbandonedMessages: 32,
  maxAmfDepth: 64,
  maxAmfEntries: 256,
};

/** The chunk size every RTMP connection starts with, in both directions (SPEC §5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** Largest value the 24-bit message length field can carry. */
export const MAX_WIRE_MESSAGE_SIZE = 0xffffff;
