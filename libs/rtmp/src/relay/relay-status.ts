import type { PermanentFailureReason } from './permanent-failure';

/**
 * Where a relay (or a pull) is: `retrying` after a failure that may pass (the remote is down,
 * the connection dropped), `failing` after one that will happen again until someone changes the
 * configuration or the remote (see `PermanentFailureReason`). Both retry on the backoff.
 */
export type RelayState = 'connecting' | 'live' | 'retrying' | 'failing' | 'stopped';

export interface RelayStatus {
  readonly state: RelayState;
  /**
   * Why the last connection failed (while `retrying` or `failing`, and on `stopped` after a
   * failure).
   */
  readonly error?: Error;
  /** Milliseconds until the next attempt, while `retrying` or `failing`. */
  readonly retryInMs?: number;
  /** While `failing`: what kind of permanent failure `error` is. */
  readonly reason?: PermanentFailureReason;
}
