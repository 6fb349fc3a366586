/**
 * What the reader remembers about one chunk stream between chunks: the last header's fields
 * (later headers compress against them) and the message being assembled, if any.
 */
export class ChunkStreamState {
  /** Absolute timestamp of the current (or last) message, uint32. */
  timestamp = 0;
  /**
   * The raw timestamp field of the last fmt 0/1/2 header: a delta for fmt 1/2, the absolute
   * timestamp for fmt 0. An fmt 3 header that starts a new message adds it again (SPEC
   * §5.3.1.2.4; FFmpeg's reader does the same).
   */
  timestampField = 0;
  messageLength = 0;
  typeId = 0;
  messageStreamId = 0;
  /** Whether the last fmt 0/1/2 header carried an extended timestamp. */
  extendedTimestamp = false;
  /** Bytes of the current message received so far; 0 between messages. */
  received = 0;
  /** Assembly buffer of a message that spans several chunks (or socket buffers). */
  assembly: Buffer | null = null;

  constructor(readonly chunkStreamId: number) {}

  get inMessage(): boolean {
    return this.received > 0;
  }
}
