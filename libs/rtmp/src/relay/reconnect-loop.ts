import { permanentFailureReason } from './permanent-failure';
import { RelayBackoff, RetryBackoff } from './retry-backoff';
import type { RelayStatus } from './relay-status';

/**
 * The connect → live → retrying (or failing) → … → stopped cycle that a relay and a pull both
 * run against a remote server: the current status and its listeners, the backoff between
 * attempts, the retry timer, and the count of reconnections. The owner says what happened
 * (`connecting`, `live`, `failed`, `stopped`); the loop calls `connect` again when a retry is
 * due.
 */
export class ReconnectLoop {
  private current: RelayStatus = { state: 'connecting' };
  private listeners: ((status: RelayStatus) => void)[] = [];
  private readonly backoff: RetryBackoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private connections = 0;

  constructor(
    private readonly connect: () => void,
    backoff: Partial<RelayBackoff> = {},
    random?: () => number,
  ) {
    this.backoff = new RetryBackoff(backoff, random);
  }

  get status(): RelayStatus {
    return this.current;
  }

  /** Called on every status change, starting with the current one. */
  onStatus(listener: (status: RelayStatus) => void): () => void {
    this.listeners.push(listener);
    listener(this.current);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  connecting(): void {
    this.set({ state: 'connecting' });
  }

  /** The remote accepted; returns whether this is a reconnection (not the first connection). */
  live(): boolean {
    const reconnected = this.connections > 0;
    this.connections += 1;
    this.backoff.reset();
    this.set({ state: 'live' });
    return reconnected;
  }

  /**
   * The connection failed or dropped: retry after the next backoff delay. A failure the next
   * attempt will meet again (an unknown host, a refused app or key) is reported as `failing`
   * with its reason, so a misconfigured remote shows apart from a flapping one; it is retried
   * all the same, on the same backoff, because remotes get fixed (a DNS record added, a key
   * renewed) without this application restarting, and because a refusal that looks final may
   * not be (nginx-rtmp says BadName for a name still held by a connection it has not yet seen
   * drop).
   */
  failed(cause: Error | undefined): void {
    const delay = this.backoff.next();
    const reason = permanentFailureReason(cause);
    this.set(
      reason === undefined
        ? { state: 'retrying', error: cause, retryInMs: delay }
        : { state: 'failing', error: cause, retryInMs: delay, reason },
    );
    this.retryTimer = setTimeout(this.connect, delay);
    this.retryTimer.unref();
  }

  /** No more attempts; the last error stays in the final status. Listeners are dropped. */
  stopped(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.set({ state: 'stopped', error: this.current.error });
    this.listeners = [];
  }

  /** Cancels a pending retry without changing the status (the owner is shutting down). */
  cancelRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
  }

  private set(status: RelayStatus): void {
    this.current = status;
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch {
        // A status listener's bug must not break the relay or pull.
      }
    }
  }
}
