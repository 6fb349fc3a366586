import { ReconnectLoop } from './reconnect-loop';
import type { RelayStatus } from './relay-status';
import { RelayBackoff } from './retry-backoff';

/** What a ClientLink needs of a client: RtmpPublishClient and RtmpPlayClient fit. */
export interface LinkedClient {
  /** Resolves once the remote accepted (publishing, or playing); rejects as `onClose` reports. */
  connect(): Promise<void>;
  close(): Promise<void>;
  onClose(listener: (cause: Error | undefined) => void): unknown;
}

/** What the owner of a ClientLink does at each step. */
export interface ClientLinkHooks<C extends LinkedClient> {
  /** A client for the next attempt, with the owner's own listeners on it. */
  create(): C;
  /** `client` is live; `reconnected` unless it is the link's first live connection. */
  live(client: C, reconnected: boolean): void;
  /** `client` closed or failed on its own; a retry follows on the backoff. */
  lost(client: C): void;
  /** `stop()` was called: runs once, before the client closes. */
  stopping(): void;
}

/**
 * The connection a relay or a pull keeps to its remote server: one client at a time, made anew
 * on the ReconnectLoop's schedule after each failure, until `stop()`. A client that is no longer
 * the current one (replaced, or closed by `stop`) is ignored when it goes live or closes, so
 * the owner hears only of the current one; its own listeners check `client` the same way.
 */
export class ClientLink<C extends LinkedClient> {
  private readonly loop: ReconnectLoop;
  private current: C | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly hooks: ClientLinkHooks<C>,
    backoff?: Partial<RelayBackoff>,
    random?: () => number,
  ) {
    this.loop = new ReconnectLoop(() => this.connect(), backoff, random);
  }

  get status(): RelayStatus {
    return this.loop.status;
  }

  /** The client of the current attempt, live or not yet; undefined between attempts. */
  get client(): C | undefined {
    return this.current;
  }

  /** Called on every status change, starting with the current one. */
  onStatus(listener: (status: RelayStatus) => void): () => void {
    return this.loop.onStatus(listener);
  }

  /** Makes the first attempt (not in the constructor: the owner's fields may not be set yet). */
  start(): void {
    this.connect();
  }

  /**
   * Closes the current client and connects anew once it is closed, without counting a failure:
   * for a remote that asked for it (an E-RTMP ReconnectRequest).
   */
  reconnect(): void {
    const client = this.current;
    this.current = undefined;
    void client?.close().then(() => this.connect());
  }

  /** Stops for good. Every call, the first or a later one, resolves once the client is closed. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    this.loop.cancelRetry();
    this.hooks.stopping();
    const client = this.current;
    this.current = undefined;
    await client?.close();
    this.loop.stopped();
  }

  private connect(): void {
    if (this.stopped) return;
    this.loop.connecting();
    const client = this.hooks.create();
    this.current = client;
    client.onClose((cause) => this.onClose(client, cause));
    client.connect().then(
      () => this.onLive(client),
      () => undefined, // reported through onClose
    );
  }

  private onLive(client: C): void {
    if (this.current !== client || this.stopped) return;
    this.hooks.live(client, this.loop.live());
  }

  private onClose(client: C, cause: Error | undefined): void {
    if (this.current !== client || this.stopped) return;
    this.current = undefined;
    this.hooks.lost(client);
    this.loop.failed(cause);
  }
}
