import { RtmpPublishClientOptions } from '../client/rtmp-publish-client';
import { ReconnectRequestHosts } from './reconnect-request-policy';
import { RelayBackoff } from './retry-backoff';
import { StreamRelayError } from './stream-relay.error';

/** How long a relay's send queue may stay full before the destination counts as stalled. */
export const DEFAULT_RELAY_STALL_TIMEOUT_MS = 10_000;

export interface StreamRelayOptions extends Omit<RtmpPublishClientOptions, 'url'> {
  readonly backoff?: Partial<RelayBackoff>;
  /**
   * How long the send queue may stay full (`maxQueuedBytes` reached, frames refused) before
   * the relay gives the destination up as stalled: it drops the connection, reports
   * `RTMP_ERR_RELAY_STALLED` in its `retrying` status and reconnects with its backoff. A
   * destination that reads at all, however slowly, drains the queue and is not stalled.
   * Default 10 s; 0 turns the check off.
   */
  readonly stallTimeoutMs?: number;
  /**
   * Where an Enhanced RTMP ReconnectRequest from the destination may move the relay besides
   * the host it was started with: host names or addresses (no port; compared
   * case-insensitively), or a predicate on the host. Default: none, only that same host (any
   * port or app). Never from rtmps:// to rtmp://, whatever this allows. A refused request is
   * reported (`onReconnectRefused`) and the relay reconnects to its current destination, since
   * the server asked to end this connection.
   */
  readonly reconnectRequestHosts?: ReconnectRequestHosts;
  /** Told when the relay follows a ReconnectRequest elsewhere: from and to, keys masked. */
  readonly onReconnectFollowed?: (from: string, to: string) => void;
  /** Told when the relay refuses a ReconnectRequest (`RTMP_ERR_RELAY_RECONNECT_REFUSED`). */
  readonly onReconnectRefused?: (error: StreamRelayError) => void;
  /** For tests: the random source for jitter, in [0, 1). */
  readonly random?: () => number;
}
