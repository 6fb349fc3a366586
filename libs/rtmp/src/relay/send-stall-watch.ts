import { MAX_TIMEOUT_MS } from '../common/option-values';

/**
 * Tells a destination that stopped reading from one that is only slow: the clock starts when
 * the send queue first refuses a frame, and if the queue is still full `timeoutMs` later, the
 * destination has stalled. A slow destination reads now and then, so its queue drops under the
 * limit and the owner calls `reset()`. One timer per stall, none per packet; and the timer,
 * not the next packet, decides, so a source that stops sending does not hide a stall.
 */
export class SendStallWatch {
  private timer: NodeJS.Timeout | undefined;

  /** `timeoutMs` 0 turns the watch off; past {@link MAX_TIMEOUT_MS} a timer would fire at once. */
  constructor(
    private readonly timeoutMs: number,
    private readonly stillFull: () => boolean,
    private readonly onStall: () => void,
  ) {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
      throw new TypeError(
        `stallTimeoutMs must be a number of milliseconds in 0..${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`,
      );
    }
  }

  /** Whether the clock runs: the queue refused a frame and has not been seen draining since. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The queue refused a frame: starts the clock, unless it already runs. */
  refused(): void {
    if (this.timer !== undefined || this.timeoutMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stillFull()) this.onStall();
    }, this.timeoutMs);
    this.timer.unref();
  }

  /** The queue took frames again, or the connection is gone: stops the clock. */
  reset(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
