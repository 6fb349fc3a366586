import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  LoggerService,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { BehaviorSubject, Observable, Subscription } from 'rxjs';
import { PullCounters, StreamPull } from '../relay/stream-pull';
import { parseRtmpUrl } from '../client/rtmp-url';
import { RelayCounters } from '../relay/relay-sender';
import type { RelayStatus } from '../relay/relay-status';
import { StreamRelay } from '../relay/stream-relay';
import { StreamRelayError } from '../relay/stream-relay.error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { maskStreamKey } from '../common/mask-stream-key';
import { matchesRelayRule, relayDestination } from './relay-rule.interface';
import {
  assertValidPullRules,
  assertValidRelayRules,
  describeRelayMatch,
} from './relay-rule.validation';
import { RelayTiming, resolveRelayTiming } from './relay-timing.options';
import { RtmpModuleOptions } from './rtmp-module-options.interface';
import { RTMP_MODULE_OPTIONS } from './rtmp-module-options.token';
import { liveStreamOf, RtmpServerService } from './rtmp-server.service';
import { RtmpStream } from './rtmp-stream';

/**
 * One running relay: a live stream restreamed to one destination.
 *
 * @publicApi
 */
export interface RelayHandle {
  readonly id: number;
  readonly app: string;
  readonly name: string;
  /**
   * Where the relay sends now, stream key masked: the URL it was started with, or where a
   * followed ReconnectRequest moved it.
   */
  readonly destination: string;
  /**
   * connecting → live → (retrying | failing → connecting → live)* → stopped; replays the
   * latest. `failing` (with a `reason`) is a destination that refuses the same way each time:
   * unknown host, app or key refused; it is retried all the same.
   */
  readonly status$: Observable<RelayStatus>;
  readonly counters: Readonly<RelayCounters>;
  /** Unpublishes from the destination; the ingest goes on. */
  stop(): Promise<void>;
}

/**
 * One running pull: a remote stream played from its server and published here as `app/name`.
 *
 * @publicApi
 */
export interface PullHandle {
  readonly id: number;
  /** The local stream it publishes. */
  readonly app: string;
  readonly name: string;
  /** The source URL with its stream key masked. */
  readonly source: string;
  /**
   * connecting → live → (retrying | failing → connecting → live)* → stopped; replays the
   * latest. `failing` (with a `reason`) is a source that refuses the same way each time:
   * unknown host, app or stream refused; it is retried all the same.
   */
  readonly status$: Observable<RelayStatus>;
  readonly counters: Readonly<PullCounters>;
  /** Ends the local stream and disconnects from the source. */
  stop(): Promise<void>;
}

/**
 * Restreams ingested streams to remote RTMP(S) servers (the static `relays` rules of the module
 * options, and relays started at run time), and pulls remote streams in to publish them here
 * (the `pulls` option, and `pull()`). A failing remote retries on its own and never affects
 * the ingest or the other relays.
 *
 * @publicApi
 */
@Injectable()
export class RtmpRelayService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  /** The module's `logger` option, as RtmpServerService reads it: false silences relays too. */
  private readonly logger: LoggerService | undefined;
  private readonly running = new Map<number, { handle: RelayHandle; relay: StreamRelay }>();
  private readonly handles = new BehaviorSubject<readonly RelayHandle[]>([]);
  private readonly pulling = new Map<number, { handle: PullHandle; pull: StreamPull }>();
  private readonly pullHandles = new BehaviorSubject<readonly PullHandle[]>([]);
  private subscription: Subscription | undefined;
  /** `relayBackoff` and `relayStallTimeoutMs`, checked at init. */
  private timing: RelayTiming = { backoff: undefined, stallTimeoutMs: undefined };
  private nextId = 1;

  /** The relays running now; replays the current list to new subscribers. */
  readonly relays$: Observable<readonly RelayHandle[]> = this.handles.asObservable();
  /** The pulls running now; replays the current list to new subscribers. */
  readonly pulls$: Observable<readonly PullHandle[]> = this.pullHandles.asObservable();

  constructor(
    @Inject(RTMP_MODULE_OPTIONS) private readonly options: RtmpModuleOptions,
    private readonly rtmp: RtmpServerService,
  ) {
    this.logger =
      options.logger === false ? undefined : (options.logger ?? new Logger('RtmpRelay'));
  }

  /**
   * Checks every relay destination and pull source, so a URL that can never work stops the
   * bootstrap (an RtmpUrlError naming the rule and the URL, key masked) instead of failing at
   * the first publish; then follows the streams the relay rules apply to.
   */
  onModuleInit(): void {
    assertValidRelayRules(this.options.relays);
    assertValidPullRules(this.options.pulls);
    this.timing = resolveRelayTiming(this.options);
    const rules = this.options.relays ?? [];
    if (rules.length === 0) return;
    this.subscription = this.rtmp.streamStarted$.subscribe((stream) => this.applyRules(stream));
  }

  /** Starts the static pulls once the server listens (without holding up the bootstrap). */
  onApplicationBootstrap(): void {
    const rules = this.options.pulls ?? [];
    if (rules.length === 0) return;
    this.rtmp.whenListening().then(
      () => {
        for (const rule of rules) {
          try {
            this.pull(rule.from, rule.app, rule.name);
          } catch (error) {
            this.logger?.error(
              `pull into ${rule.app}/${maskStreamKey(rule.name)} failed: ${(error as Error).message}`,
            );
          }
        }
      },
      () => undefined, // shut down before it listened: nothing to pull into
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.all([
      ...[...this.running.values()].map(({ relay }) => relay.stop()),
      ...[...this.pulling.values()].map(({ pull }) => pull.stop()),
    ]);
    this.handles.complete();
    this.pullHandles.complete();
  }

  /** The pulls running now. */
  listPulls(): readonly PullHandle[] {
    return this.pullHandles.value;
  }

  /**
   * Plays the stream at `from` (rtmp:// or rtmps://) and publishes it here as `app/name`, as
   * long as the pull runs: each publish of the source becomes a local stream (players,
   * `packets()` subscribers and relay rules see it), and the pull reconnects with the relay
   * backoff when the source goes away.
   *
   * @throws RtmpUrlError (`RTMP_ERR_CLIENT_URL_INVALID`) when `from` is not a usable RTMP URL:
   *   its `rule` says why, its `url` and message show the URL with key and password masked, so
   *   a controller can answer 400 with it. Checked first, before anything else.
   * @throws Error before the server listens.
   */
  pull(from: string, app: string, name: string): PullHandle {
    parseRtmpUrl(from);
    const label = `${app}/${maskStreamKey(name)}`;
    if (this.rtmp.address() === undefined) {
      throw new Error(`cannot pull into ${label}: the RTMP server is not listening yet`);
    }
    const target = this.rtmp;
    const pull = new StreamPull(target, from, app, name, {
      backoff: this.timing.backoff,
      onBusy: (error) => this.logger?.warn(`pull into ${label}: ${error.message}`),
    });
    const id = this.nextId++;
    const status$ = this.followStatus(
      pull,
      () => `pull ${pull.source} → ${label}`,
      'playing',
      () => {
        this.pulling.delete(id);
        this.publishPulls();
      },
    );
    const handle: PullHandle = {
      id,
      app,
      name,
      source: pull.source,
      status$,
      counters: pull.counters,
      stop: () => pull.stop(),
    };
    if (pull.status.state !== 'stopped') {
      this.pulling.set(id, { handle, pull });
      this.publishPulls();
    }
    return handle;
  }

  /** Stops pull `id`; resolves once it has disconnected. */
  async stopPull(id: number): Promise<void> {
    await this.pulling.get(id)?.pull.stop();
  }

  /** The relays running now. */
  list(): readonly RelayHandle[] {
    return this.handles.value;
  }

  /**
   * Starts restreaming the live stream `app/name` to `url`
   * (`rtmp[s]://[user:password@]host[:port]/app/name[?query]`).
   *
   * @throws RtmpUrlError (`RTMP_ERR_CLIENT_URL_INVALID`) when `url` is not a usable RTMP URL:
   *   its `rule` says why (`scheme`, `app-and-name`, `port`...), its `url` and message show the
   *   URL with key and password masked, so a controller can answer 400 with it. Checked first,
   *   whether the stream is live or not.
   * @throws StreamRelayError (`RTMP_ERR_RELAY_STREAM_NOT_LIVE`) when the stream is not live
   *   (a controller's 404 or 409).
   */
  start(app: string, name: string, url: string): RelayHandle {
    parseRtmpUrl(url);
    const stream = liveStreamOf(this.rtmp, app, name);
    if (stream === undefined) {
      throw new StreamRelayError(
        RtmpErrorCode.RelayStreamNotLive,
        `cannot relay ${app}/${maskStreamKey(name)}: the stream is not live`,
      );
    }
    const source = stream.label;
    // Read each time: a followed ReconnectRequest changes the destination.
    const label = (): string => `${source} → ${relay.destination}`;
    const relay: StreamRelay = new StreamRelay(stream, url, {
      backoff: this.timing.backoff,
      stallTimeoutMs: this.timing.stallTimeoutMs,
      reconnectRequestHosts: this.options.relayReconnectRequestHosts,
      onReconnectFollowed: (from, to) =>
        this.logger?.log(`${source} → ${from}: following its ReconnectRequest to ${to}`),
      onReconnectRefused: (error) =>
        this.logger?.warn(`${label()}: ${error.message}; reconnecting here instead`),
    });
    const id = this.nextId++;
    const status$ = this.followStatus(relay, label, 'live', () => {
      this.running.delete(id);
      this.publishList();
    });
    const handle: RelayHandle = {
      id,
      app,
      name,
      get destination() {
        return relay.destination;
      },
      status$,
      counters: relay.counters,
      stop: () => relay.stop(),
    };
    if (relay.status.state !== 'stopped') {
      this.running.set(id, { handle, relay });
      this.publishList();
    }
    return handle;
  }

  /** Stops relay `id`; resolves once it has unpublished. */
  async stop(id: number): Promise<void> {
    await this.running.get(id)?.relay.stop();
  }

  private applyRules(stream: RtmpStream): void {
    for (const rule of this.options.relays ?? []) {
      if (!matchesRelayRule(rule, stream.app, stream.name)) continue;
      for (const template of rule.destinations) {
        try {
          this.start(stream.app, stream.name, relayDestination(template, stream.app, stream.name));
        } catch (error) {
          this.logger?.error(
            `relay rule ${describeRelayMatch(rule.match)} failed: ${(error as Error).message}`,
          );
        }
      }
    }
  }

  /**
   * The status of a relay or pull as an Observable that replays the latest and completes when
   * it stops (then `onStopped` runs); retries and going live are logged under `label()`.
   */
  private followStatus(
    link: { readonly status: RelayStatus; onStatus(listener: (s: RelayStatus) => void): unknown },
    label: () => string,
    liveWord: string,
    onStopped: () => void,
  ): Observable<RelayStatus> {
    const status = new BehaviorSubject<RelayStatus>(link.status);
    link.onStatus((next) => {
      status.next(next);
      if (next.state === 'retrying') {
        this.logger?.warn(
          `${label()}: ${next.error?.message ?? 'disconnected'}; retrying in ${next.retryInMs} ms`,
        );
      } else if (next.state === 'failing') {
        // An error, not a warning: it will not pass by itself.
        this.logger?.error(
          `${label()}: failing (${next.reason}): ${next.error?.message}; retrying in ${next.retryInMs} ms`,
        );
      } else if (next.state === 'live') {
        this.logger?.log(`${label()}: ${liveWord}`);
      } else if (next.state === 'stopped') {
        status.complete();
        onStopped();
      }
    });
    return status.asObservable();
  }

  private publishPulls(): void {
    this.pullHandles.next([...this.pulling.values()].map(({ handle }) => handle));
  }

  private publishList(): void {
    this.handles.next([...this.running.values()].map(({ handle }) => handle));
  }
}
