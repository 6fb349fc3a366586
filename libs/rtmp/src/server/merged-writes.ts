/** Where a player's merged bytes go: one write of several chunked messages. */
export interface MergedWriteTarget {
  /** Writes `parts` in order as one write (one syscall); false if the connection refused. */
  writeEncoded(parts: readonly Buffer[]): boolean;
}

/**
 * Players' media written together (`RtmpServerOptions.playerWriteMergeMs`). A live stream's
 * messages reach a player one by one, each its own write and so its own syscall, which is
 * most of what a server with many players spends. Here a player's chunked messages wait,
 * and every `intervalMs` each player that has some gets them in one write: fewer syscalls
 * per message for at most `intervalMs` more latency (as SRS's merged write). One timer serves
 * every player of the server, armed only while something waits.
 */
export class MergedWrites {
  private readonly waiting = new Set<PlayerWrites>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  /** A player's own queue, written to `target` at the next flush. */
  queueFor(target: MergedWriteTarget): PlayerWrites {
    return new PlayerWrites(target, this);
  }

  /** Drops what waits and stops the timer (the server is closing). */
  close(): void {
    for (const player of this.waiting) player.discard();
    this.waiting.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** @internal Called by a queue as its first bytes arrive. */
  schedule(player: PlayerWrites): void {
    this.waiting.add(player);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** @internal Called by a queue that was emptied apart from a flush. */
  forget(player: PlayerWrites): void {
    this.waiting.delete(player);
  }

  private flush(): void {
    this.timer = undefined;
    const players = [...this.waiting];
    this.waiting.clear();
    for (const player of players) player.flush();
  }
}

/** One player's chunked messages waiting for the next flush of its {@link MergedWrites}. */
export class PlayerWrites {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly target: MergedWriteTarget,
    private readonly merged: MergedWrites,
  ) {}

  /** Bytes waiting: part of what the player's drop policy counts as queued. */
  get byteLength(): number {
    return this.bytes;
  }

  add(bytes: Buffer): void {
    if (this.parts.length === 0) this.merged.schedule(this);
    this.parts.push(bytes);
    this.bytes += bytes.length;
  }

  /** Writes what waits now (before a message that must follow it, and at each interval). */
  flush(): void {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.bytes = 0;
    this.merged.forget(this);
    this.target.writeEncoded(parts);
  }

  /** Drops what waits (the play stopped or the connection closed). */
  discard(): void {
    this.parts = [];
    this.bytes = 0;
    this.merged.forget(this);
  }
}
