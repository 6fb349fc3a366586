/**
 * What a chunk reader reports the bytes it holds in partial messages to, so that an owner can
 * bound them across many readers (a server across its connections). `reserveMessageBytes` is called before
 * the reader allocates and may throw to refuse (the reader then fails with that error).
 */
export interface ChunkMemoryBudget {
  /** `bytes` more are about to be held; throw to refuse them. */
  reserveMessageBytes(bytes: number): void;
  /** `bytes` are no longer held. */
  releaseMessageBytes(bytes: number): void;
}
