export interface RelayBackoff {
  /** First retry delay. Default 1 s. */
  readonly initialDelayMs: number;
  /** Longest retry delay. Default 30 s. */
  readonly maxDelayMs: number;
  /** Each failed attempt multiplies the delay by this. Default 2. */
  readonly multiplier: number;
  /** Each delay is randomised by ± this share, so many relays do not retry in lockstep. Default 0.2. */
  readonly jitter: number;
}

export const DEFAULT_RELAY_BACKOFF: RelayBackoff = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

/**
 * Delays between attempts to reach a remote server: exponential up to a ceiling, each one
 * randomised so that many relays cut off by the same outage do not retry in lockstep.
 */
export class RetryBackoff {
  private readonly backoff: RelayBackoff;
  private attempt = 0;

  constructor(
    backoff: Partial<RelayBackoff> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.backoff = { ...DEFAULT_RELAY_BACKOFF, ...backoff };
  }

  /** The delay before the next attempt; each call counts one more failed attempt. */
  next(): number {
    const { initialDelayMs, maxDelayMs, multiplier, jitter } = this.backoff;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.attempt);
    this.attempt += 1;
    const spread = base * jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(base + spread));
  }

  /** A connection succeeded: the next failure starts from the first delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
