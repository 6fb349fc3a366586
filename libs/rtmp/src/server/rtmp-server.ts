import { AddressInfo, createServer, Server, Socket } from 'net';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { MergedWrites } from './merged-writes';
import { GopBlockPool } from './gop-block-pool';
import { GOP_CACHE_BLOCK_BYTES } from './gop-cache';
import { ListenerErrorHandler, ListenerSet } from '../media/listener-set';
import { LiveStream } from './live-stream';
import { LocalPublisher, LocalPublishOrigin } from './local-publisher';
import { describeStream } from '../common/mask-stream-key';
import { StreamRequest, StreamVerdict } from './stream-request';
import { ConnectionRefusalLog } from './connection-refusal-log';
import { PendingMessageBudget } from './pending-message-budget';
import { consoleRtmpLogger, RtmpLogger } from './rtmp-logger';
import { resolveRtmpServerOptions, RtmpServerOptions } from './rtmp-server.options';
import { RtmpSession, SessionHost } from './rtmp-session';
import { SessionLifecycle } from './session-lifecycle';
import { ConnectionSlots } from './connection-slots';
import { PlayEnd, StreamPlayer } from './stream-player';
import { StreamRegistry } from './stream-registry';

import { Admission } from './admission';
import { RequestVerifier, VerdictWithTimeout } from './verdict-with-timeout';
export type { RequestVerifier } from './verdict-with-timeout';

export interface RtmpServerHooks {
  /** Required: there is no implicit accept-all. */
  readonly verifyRequest: RequestVerifier;
  readonly logger?: RtmpLogger;
}

/** A play that ended, and why. */
export interface PlayEnded {
  readonly player: StreamPlayer;
  readonly end: PlayEnd;
}

/** A publish or play request together with what was decided, for auditing and metrics. */
export interface StreamDecision {
  readonly request: StreamRequest;
  readonly verdict: StreamVerdict;
  /**
   * The client left before the verdict came, so it was not acted on (nothing was sent, no
   * stream started). Every request gets exactly one decision, abandoned ones included.
   */
  readonly abandoned: boolean;
}

/** @deprecated Renamed {@link StreamDecision}. Removed in the next release. */
export type PublishDecision = StreamDecision;

/** How often idle publishers are looked for, at most. */
const IDLE_SWEEP_MAX_MS = 1_000;

/**
 * The RTMP ingest server: accepts connections, runs a session per connection, asks the
 * verifier about every publish, and hands accepted streams to listeners. No Nest, no RxJS:
 * the Nest layer adapts these callbacks into Observables.
 *
 * A stream is live as `app/name`, its name being the public name the verifier gave the
 * publish (`StreamVerdicts.accept({ name })`), else the name it was published with: that is
 * the name players ask for, one publisher holds at a time, and `playersOf` and `disconnect`
 * take. The publish request, key included, stays in `LiveStream.request`; logs show
 * `LiveStream.label`, never the key.
 */
export class RtmpServer {
  readonly options: RtmpServerOptions;
  readonly logger: RtmpLogger;
  private readonly server: Server;
  private readonly slots: ConnectionSlots;
  private readonly registry: StreamRegistry<SessionLifecycle | LocalPublisher>;
  /** Streams published from inside the process (publishLocal), ended on close(). */
  private readonly localPublishers = new Set<LocalPublisher>();
  /** Players by stream key: attached while the stream is live, waiting otherwise. */
  private readonly players = new Map<string, Set<StreamPlayer>>();
  private readonly decisions: ListenerSet<StreamDecision>;
  private readonly starts: ListenerSet<LiveStream>;
  private readonly playStarts: ListenerSet<StreamPlayer>;
  private readonly playEnds: ListenerSet<PlayEnded>;
  private readonly closings: ListenerSet<void>;
  /**
   * What every session gets from the server: one object for all of them, so that an idle
   * connection does not carry a dozen closures of its own.
   */
  private readonly sessionHost: SessionHost;
  private nextSessionId = 1;
  /** The verifier with its timeout; close() clears the timeouts so none outlives the server. */
  private readonly verdicts: VerdictWithTimeout;
  /** Memory of every stream's GOP cache, reused from stream to stream (see GopBlockPool). */
  private readonly gopBlocks = new GopBlockPool(GOP_CACHE_BLOCK_BYTES);
  /** Players' media waiting to be written together (playerWriteMergeMs), if they wait. */
  private readonly mergedWrites: MergedWrites | undefined;
  /** Bytes of unfinished messages over every connection (`maxPendingMessageBytesTotal`). */
  private readonly pendingMessages: PendingMessageBudget;
  private readonly refusals: ConnectionRefusalLog;
  private idleSweep: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: Partial<RtmpServerOptions>, hooks: RtmpServerHooks) {
    this.options = resolveRtmpServerOptions(options);
    this.logger = hooks.logger ?? consoleRtmpLogger;
    this.registry = new StreamRegistry(this.options.stalePublisherTimeoutMs);
    const onListenerError = (error: unknown): void =>
      this.logger.error(`a server listener threw: ${String(error)}`);
    this.decisions = new ListenerSet(onListenerError);
    this.starts = new ListenerSet(onListenerError);
    this.playStarts = new ListenerSet(onListenerError);
    this.playEnds = new ListenerSet(onListenerError);
    this.closings = new ListenerSet(onListenerError);
    this.refusals = new ConnectionRefusalLog(this.logger);
    this.slots = new ConnectionSlots(this.options, (_session, address) =>
      this.refusals.record('displaced (maxConnections)', address),
    );
    this.pendingMessages = new PendingMessageBudget(this.options.maxPendingMessageBytesTotal, () =>
      this.slots.all(),
    );
    this.verdicts = new VerdictWithTimeout(
      hooks.verifyRequest,
      this.options.verifierTimeoutMs,
      this.logger,
      this.options.apps,
    );
    const { playerWriteMergeMs } = this.options;
    this.mergedWrites = playerWriteMergeMs > 0 ? new MergedWrites(playerWriteMergeMs) : undefined;
    this.sessionHost = this.createSessionHost();
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (error) => this.logger.error(`listener error: ${error.message}`));
  }

  /** Starts listening; resolves with the bound address (useful with port 0). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        const sweepMs = Math.min(IDLE_SWEEP_MAX_MS, Math.ceil(this.options.idleMediaTimeoutMs / 4));
        this.idleSweep = setInterval(() => this.sweepIdle(), sweepMs);
        this.idleSweep.unref();
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** Streams live now. */
  liveStreams(): LiveStream[] {
    const streams: LiveStream[] = [];
    for (const key of this.registry.keys()) {
      const stream = this.registry.get(key)?.liveStream;
      if (stream !== undefined) streams.push(stream);
    }
    return streams;
  }

  /**
   * The players of stream `app/name`: attached while it is live, waiting for it otherwise.
   * For monitoring (`stats`, `queuedBytes`); the sessions own them.
   */
  playersOf(app: string, name: string): readonly StreamPlayer[] {
    return [...(this.players.get(StreamRegistry.key(app, name)) ?? [])];
  }

  get connectionCount(): number {
    return this.slots.size;
  }

  /** Bytes held in unfinished messages over all connections now. */
  get pendingMessageBytes(): number {
    return this.pendingMessages.heldBytes;
  }

  /**
   * Opens stream `app/name` published from inside the process: a stream pulled from another
   * server (see StreamPull), or media the application makes. It is an ordinary live stream to
   * players (waiting ones attach), `onStreamStart` listeners, packet subscribers and relays.
   * No verifier is asked and no decision is emitted: the application itself opened it.
   * Throws an RtmpError (`RTMP_ERR_LOCAL_PUBLISH_BUSY`) when a live publisher holds the key
   * and is not stale, or (`RTMP_ERR_LOCAL_PUBLISH_CLOSED`) when the server is closing.
   */
  publishLocal(app: string, name: string, origin: LocalPublishOrigin): LocalPublisher {
    const label = describeStream(app, name, this.options.apps);
    if (this.closing !== undefined) {
      throw new RtmpError(
        RtmpErrorCode.LocalPublishClosed,
        `cannot publish ${label}: the server is closing`,
        true,
      );
    }
    const request: StreamRequest = {
      action: 'publish',
      sessionId: 0,
      app,
      streamName: name,
      query: {},
      publishType: 'live',
      tcUrl: origin.description,
      flashVer: undefined,
      connectObject: {},
      remoteAddress: origin.remoteAddress ?? 'local',
      remotePort: origin.remotePort ?? 0,
    };
    const stream = this.createLiveStream(request, undefined, (error) =>
      this.logger.error(`a listener of ${label} threw: ${String(error)}`),
    );
    const publisher = new LocalPublisher(request, stream, {
      now: () => performance.now(),
      released: (released) => {
        this.registry.release(stream.key, released);
        this.localPublishers.delete(released);
      },
    });
    const claim = this.registry.claim(stream.key, publisher, performance.now());
    if (!claim.claimed) {
      throw new RtmpError(
        RtmpErrorCode.LocalPublishBusy,
        `cannot publish ${label} from ${origin.description}: already publishing`,
        true,
      );
    }
    this.localPublishers.add(publisher);
    this.logger.log(`${label} published from ${origin.description}`);
    this.streamStarted(stream);
    return publisher;
  }

  /** Every decided publish request, accepted or not. Returns the unsubscribe function. */
  onRequestDecision(listener: (decision: StreamDecision) => void): () => void {
    return this.decisions.add(listener);
  }

  /** Every accepted stream, as it starts. Returns the unsubscribe function. */
  onStreamStart(listener: (stream: LiveStream) => void): () => void {
    return this.starts.add(listener);
  }

  /**
   * Every accepted play, as it starts (before its stream is live, when players wait for a
   * publisher). Returns the unsubscribe function.
   */
  onPlayStart(listener: (player: StreamPlayer) => void): () => void {
    return this.playStarts.add(listener);
  }

  /** Every play that had started, as it ends. Returns the unsubscribe function. */
  onPlayEnd(listener: (ended: PlayEnded) => void): () => void {
    return this.playEnds.add(listener);
  }

  /**
   * Ends the publish of stream `app/name` because the application says so: an RTMP publisher
   * is sent an error status (`NetStream.Publish.Denied`) carrying `message`, then its
   * connection closes; a stream published from inside the process just ends. The stream ends
   * with reason `kicked`; its players follow as when any publisher leaves. False when nobody
   * publishes that stream.
   */
  disconnect(app: string, name: string, message: string): boolean {
    const publisher = this.registry.get(StreamRegistry.key(app, name));
    if (publisher?.liveStream === undefined) return false;
    publisher.kick(message);
    return true;
  }

  /**
   * Called once when `close()` starts (before sessions and local streams end), e.g. so that a
   * StreamPull stops. Returns the unsubscribe function.
   */
  onClose(listener: () => void): () => void {
    return this.closings.add(listener);
  }

  /**
   * Stops accepting connections, ends every session politely (publishers are told), and
   * resolves once every socket is closed.
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = (async () => {
        try {
          this.closings.emit();
          this.closings.clear();
          this.refusals.close();
          if (this.idleSweep !== undefined) clearInterval(this.idleSweep);
          // Sessions still verifying are closed below; their verdicts no longer matter.
          this.verdicts.clear();
          const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
          for (const publisher of [...this.localPublishers]) publisher.end('server-closed');
          await Promise.all([...this.slots.all()].map((session) => session.shutdown()));
          // Resolves on the listener's 'close' event, once every connection is gone (or at once,
          // with an error we ignore, if the server never listened).
          await stopped;
          this.decisions.clear();
          this.starts.clear();
        } finally {
          // Every stream has ended (or close failed): nothing takes GOP cache memory any more.
          this.gopBlocks.close();
          this.mergedWrites?.close();
        }
      })();
    }
    return this.closing;
  }

  private accept(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const address = socket.remoteAddress ?? 'unknown';
    const refusedBy = this.slots.admit(address);
    if (refusedBy !== undefined) {
      this.refuse(socket, address, refusedBy);
      return;
    }
    this.slots.add(new RtmpSession(this.nextSessionId++, socket, this.sessionHost), address);
  }

  /** Refuses cheaply: no session, no handshake, no buffering, no log line of its own. */
  private refuse(socket: Socket, address: string, limit: string): void {
    this.refusals.record(limit, address);
    socket.on('error', () => undefined);
    socket.destroy();
  }

  private createLiveStream(
    request: StreamRequest,
    publicName: string | undefined,
    onListenerError: ListenerErrorHandler,
  ): LiveStream {
    const { options } = this;
    const gopLimits = {
      enabled: options.gopCache,
      maxFrames: options.gopCacheMaxFrames,
      maxBytes: options.gopCacheMaxBytes,
    };
    return new LiveStream(request, onListenerError, gopLimits, this.gopBlocks, {
      publicName,
      servedApps: options.apps,
    });
  }

  private createSessionHost(): SessionHost {
    return {
      options: this.options,
      logger: this.logger,
      admission: this.createAdmission(),
      now: () => performance.now(),
      mergedWrites: this.mergedWrites,
      releaseStream: (session, stream) => this.registry.release(stream.key, session),
      removePlayer: (player, end) => {
        const set = this.players.get(player.key);
        if (set?.delete(player) !== true) return;
        if (set.size === 0) this.players.delete(player.key);
        this.playEnds.emit({ player, end });
      },
      sessionClosed: (session) => this.slots.release(session),
      reserveMessageBytes: (session, bytes) => this.pendingMessages.reserve(session, bytes),
      releaseMessageBytes: (bytes) => this.pendingMessages.release(bytes),
    };
  }

  /** Where every publish and play is decided, over this server's registry and players. */
  private createAdmission(): Admission {
    return new Admission({
      verdicts: this.verdicts,
      playersWaitForPublisher: () => this.options.playersWaitForPublisher,
      decided: (request, verdict, abandoned) =>
        this.decisions.emit({ request, verdict, abandoned }),
      createLiveStream: (request, publicName, onListenerError) =>
        this.createLiveStream(request, publicName, onListenerError),
      claim: (session, stream) =>
        this.registry.claim(stream.key, session, performance.now()).claimed,
      liveStream: (key) => this.registry.get(key)?.liveStream,
      streamStarted: (stream) => this.streamStarted(stream),
      addPlayer: (player) => {
        let waiting = this.players.get(player.key);
        if (waiting === undefined) {
          waiting = new Set();
          this.players.set(player.key, waiting);
        }
        waiting.add(player);
        const live = this.registry.get(player.key)?.liveStream;
        if (live !== undefined) player.attach(live);
        this.playStarts.emit(player);
      },
    });
  }

  /** A publish went live: waiting players attach, then `onStreamStart` listeners hear it. */
  private streamStarted(stream: LiveStream): void {
    for (const player of this.players.get(stream.key) ?? []) player.attach(stream);
    this.starts.emit(stream);
  }

  private sweepIdle(): void {
    const now = performance.now();
    for (const session of this.slots.all()) session.checkIdle(now);
  }
}
