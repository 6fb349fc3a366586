import { DEFAULT_PROTOCOL_LIMITS, ProtocolLimits } from '../limits';

/** How a reader treats a peer, apart from its limits: set at first, changed by `reconfigure`. */
export interface ChunkReaderPolicy {
  /**
   * Give a message spread over chunks the buffer its header announces at its first chunk (one
   * allocation, no regrowth: for a peer the application accepted). Otherwise the buffer grows
   * with what arrives. Default false.
   */
  readonly allocateAnnouncedSize?: boolean;
  /**
   * Message types read past without being buffered or delivered (their announced size is still
   * checked): what the owner would drop anyway, such as media from a peer not yet accepted.
   */
  readonly skipMessageTypes?: ReadonlySet<number>;
}

export type ChunkReaderLimits = Pick<
  ProtocolLimits,
  | 'maxMessageSize'
  | 'maxChunkSize'
  | 'maxChunkStreams'
  | 'maxPendingMessageBytes'
  | 'maxAbandonedMessages'
>;

/**
 * Keeps only the limits a reader uses: callers pass whole option objects (a server's has dozens
 * of fields), and a copy of all of them per connection is memory an idle one need not hold.
 * Read one by one: spreading such an object (`{ ...defaults, ...limits }`) allocated garbage for
 * each connection as it grew the copy property by property (bench/profile-notes.md, "Memory:
 * idle connections").
 */
export function pickReaderLimits(limits: Partial<ChunkReaderLimits>): ChunkReaderLimits {
  const defaults = DEFAULT_PROTOCOL_LIMITS;
  return {
    maxMessageSize: limits.maxMessageSize ?? defaults.maxMessageSize,
    maxChunkSize: limits.maxChunkSize ?? defaults.maxChunkSize,
    maxChunkStreams: limits.maxChunkStreams ?? defaults.maxChunkStreams,
    maxPendingMessageBytes: limits.maxPendingMessageBytes ?? defaults.maxPendingMessageBytes,
    maxAbandonedMessages: limits.maxAbandonedMessages ?? defaults.maxAbandonedMessages,
  };
}
