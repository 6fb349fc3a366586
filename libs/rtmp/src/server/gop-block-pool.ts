/**
 * Equal-sized blocks of memory shared by every GOP cache of a process, handed back and out
 * again instead of being left to the garbage collector.
 *
 * Why: a GOP cache holds its memory for seconds, so V8 promotes it to old space, where memory
 * dropped comes back only at a major collection, and V8 lets tens of MB of such external
 * memory pile up before it runs one. GOP after GOP and publish after publish, that showed as
 * RSS climbing run after run. A block given back here is the next one taken: memory in use is
 * the GOPs cached now, plus what the pool holds.
 *
 * Blocks that stayed free for a whole check interval (`idleReleaseMs`) are let go (to the
 * garbage collector), so the memory of a burst of publishers does not stay held once they have
 * left: a block given back is let go one to two intervals later unless taken again.
 *
 * Why the interval is a minute: a block let go is `free`d into malloc's heap, where Node's
 * socket reads (64 KiB each, then shrunk to what was read) split the hole it leaves, and the
 * next block taken comes from fresh memory at the heap's top, so RSS grows. With an interval
 * shorter than the pauses of publishers that leave and come back, every block went at each
 * pause and peak RSS climbed round after round, where with the blocks kept it stayed flat; a
 * minute outlasted the pauses measured, and pauses past it cost little (bench/profile-notes.md,
 * "pooled blocks again" and "pauses past the pool's release").
 *
 * The caller owns a block between `take` and `give` and gives each back at most once, whole
 * (GopCache does); the pool does not check.
 */
export class GopBlockPool {
  private readonly free: Buffer[] = [];
  /** The fewest free blocks since the last release check: those were never needed. */
  private fewestFreeSinceCheck = 0;
  private releaseTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly blockBytes: number,
    private readonly idleReleaseMs = DEFAULT_IDLE_RELEASE_MS,
  ) {}

  /** Blocks held for reuse now. */
  get freeBlocks(): number {
    return this.free.length;
  }

  take(): Buffer {
    const block = this.free.pop();
    if (block === undefined) return Buffer.allocUnsafeSlow(this.blockBytes);
    this.fewestFreeSinceCheck = Math.min(this.fewestFreeSinceCheck, this.free.length);
    return block;
  }

  /** Gives `block` back; its content is garbage from now on. */
  give(block: Buffer): void {
    if (this.closed || block.length !== this.blockBytes) return;
    this.free.push(block);
    this.releaseTimer ??= this.startReleaseTimer();
  }

  /** Lets go of every free block and keeps none from now on: its server has closed. */
  close(): void {
    this.closed = true;
    this.drain();
  }

  /** Lets go of every free block now (and of the release timer). */
  drain(): void {
    this.free.length = 0;
    this.fewestFreeSinceCheck = 0;
    if (this.releaseTimer !== undefined) clearInterval(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  private startReleaseTimer(): NodeJS.Timeout {
    this.fewestFreeSinceCheck = this.free.length;
    const timer = setInterval(() => this.releaseUnused(), this.idleReleaseMs);
    // The pool never keeps a process alive.
    timer.unref();
    return timer;
  }

  private releaseUnused(): void {
    const unused = this.fewestFreeSinceCheck;
    if (unused > 0) this.free.splice(0, unused);
    if (this.free.length === 0) {
      this.drain();
      return;
    }
    this.fewestFreeSinceCheck = this.free.length;
  }
}

/** How long a free block may sit unused in a pool before it is let go. */
export const DEFAULT_IDLE_RELEASE_MS = 60_000;
