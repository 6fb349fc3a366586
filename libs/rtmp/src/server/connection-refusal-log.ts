import { RtmpLogger } from './rtmp-logger';

/** How often refused connections are summed up in one log line. */
const SUMMARY_INTERVAL_MS = 10_000;

/**
 * Logs refused and displaced connections as a count per interval rather than a line each: a
 * flood of connections must not become a flood of log lines. The first refusal after a quiet
 * interval is logged at once, so an operator sees the server fill up when it happens.
 */
export class ConnectionRefusalLog {
  private readonly counts = new Map<string, number>();
  private readonly addresses = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: RtmpLogger,
    private readonly intervalMs = SUMMARY_INTERVAL_MS,
  ) {}

  /** Counts one connection from `address` refused (or displaced) because of `reason`. */
  record(reason: string, address: string): void {
    if (this.timer === undefined) {
      this.logger.warn(
        `refusing connections: ${reason} (further refusals are summed up every ${this.intervalMs / 1000} s)`,
      );
      this.timer = setInterval(() => this.flush(), this.intervalMs);
      this.timer.unref();
      return;
    }
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    // Bounded: past a thousand it is a count, not a list, that matters.
    if (this.addresses.size < 1_000) this.addresses.add(address);
  }

  /** Logs what was counted since the last summary; a quiet interval ends the summaries. */
  flush(): void {
    if (this.counts.size === 0) {
      this.close();
      return;
    }
    let total = 0;
    const parts: string[] = [];
    for (const [reason, count] of this.counts) {
      total += count;
      parts.push(`${reason}: ${count}`);
    }
    const from = this.addresses.size >= 1_000 ? '1000 or more' : String(this.addresses.size);
    this.logger.warn(
      `refused ${total} connection(s) from ${from} address(es) in the last ${this.intervalMs / 1000} s (${parts.join(', ')})`,
    );
    this.counts.clear();
    this.addresses.clear();
  }

  /** Stops the summaries (the server is closing). */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.counts.clear();
    this.addresses.clear();
  }
}
