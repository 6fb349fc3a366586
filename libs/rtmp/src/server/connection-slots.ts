import { RtmpServerOptions } from './rtmp-server.options';
import { SessionLifecycle } from './session-lifecycle';

/** The limit that refused a connection. */
export type ConnectionLimit = 'maxConnections' | 'maxConnectionsPerAddress';

/**
 * The server's open sessions, each with the remote address it counts against, under
 * `maxConnections` and `maxConnectionsPerAddress`. A full server makes room for a newcomer by
 * displacing the connection that made the least progress, never one that was accepted.
 */
export class ConnectionSlots {
  /** In the order connections came, oldest first. */
  private readonly sessions = new Map<SessionLifecycle, string>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly options: RtmpServerOptions,
    /** Told of each session displaced to make room, with its address. */
    private readonly displacing: (session: SessionLifecycle, address: string) => void,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<SessionLifecycle> {
    return this.sessions.keys();
  }

  /**
   * Whether a connection from `address` may have a slot: the limit that refuses it, or
   * undefined once there is room (a session displaced to make it, if the server was full).
   */
  admit(address: string): ConnectionLimit | undefined {
    if ((this.perAddress.get(address) ?? 0) >= this.options.maxConnectionsPerAddress) {
      return 'maxConnectionsPerAddress';
    }
    if (this.sessions.size < this.options.maxConnections) return undefined;
    const displaced = this.leastAdvancedUnaccepted();
    if (displaced === undefined) return 'maxConnections';
    this.displacing(displaced, this.sessions.get(displaced) ?? '');
    displaced.displace();
    // Its slot is given back when its socket has closed; the newcomer takes it now.
    this.release(displaced);
    return undefined;
  }

  /** Gives an admitted session its slot. */
  add(session: SessionLifecycle, address: string): void {
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.sessions.set(session, address);
  }

  /** Forgets a session's slot (its address's count included); safe to call twice. */
  release(session: SessionLifecycle): void {
    const address = this.sessions.get(session);
    if (address === undefined) return;
    this.sessions.delete(session);
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, left);
  }

  /**
   * The connection a full server closes to admit a new one: the oldest of those that made the
   * least progress (still in the handshake, then before connect, then before publish or play).
   * Never one awaiting its verdict, publishing or playing. An attacker that redials what is
   * displaced costs the server an accept per redial, as any connection attempt does; a client
   * that arrives meanwhile is the newest, so the last to be displaced.
   */
  private leastAdvancedUnaccepted(): SessionLifecycle | undefined {
    let beforeConnect: SessionLifecycle | undefined;
    let beforePublish: SessionLifecycle | undefined;
    for (const session of this.sessions.keys()) {
      const progress = session.progress;
      if (progress === 'handshake') return session;
      if (progress === 'connecting') beforeConnect ??= session;
      else if (progress === 'connected') beforePublish ??= session;
    }
    return beforeConnect ?? beforePublish;
  }
}
