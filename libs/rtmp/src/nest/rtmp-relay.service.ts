import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  LoggerService,
  OnModuleInit,
} from '@nestjs/common';
import { BehaviorSubject, Observable, Subscription } from 'rxjs';
import { RelayCounters, RelayStatus, StreamRelay } from '../client/stream-relay';
import { maskStreamKey } from '../server/mask-stream-key';
import { matchesRelayRule, relayDestination } from './relay-rule.interface';
import { RtmpModuleOptions } from './rtmp-module-options.interface';
import { RTMP_MODULE_OPTIONS } from './rtmp.module-definition';
import { RtmpServerService } from './rtmp-server.service';
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
  /** The destination URL with its stream key masked. */
  readonly destination: string;
  /** connecting → live → (retrying → connecting → live)* → stopped; replays the latest. */
  readonly status$: Observable<RelayStatus>;
  readonly counters: Readonly<RelayCounters>;
  /** Unpublishes from the destination; the ingest goes on. */
  stop(): Promise<void>;
}

/**
 * Restreams ingested streams to remote RTMP(S) servers: the static `relays` rules of the module
 * options, and relays started at run time. A failing destination retries on its own and never
 * affects the ingest or the other destinations.
 *
 * @publicApi
 */
@Injectable()
export class RtmpRelayService implements OnModuleInit, BeforeApplicationShutdown {
  /** The module's `logger` option, as RtmpServerService reads it: false silences relays too. */
  private readonly logger: LoggerService | undefined;
  private readonly running = new Map<number, { handle: RelayHandle; relay: StreamRelay }>();
  private readonly handles = new BehaviorSubject<readonly RelayHandle[]>([]);
  private subscription: Subscription | undefined;
  private nextId = 1;

  /** The relays running now; replays the current list to new subscribers. */
  readonly relays$: Observable<readonly RelayHandle[]> = this.handles.asObservable();

  constructor(
    @Inject(RTMP_MODULE_OPTIONS) private readonly options: RtmpModuleOptions,
    private readonly rtmp: RtmpServerService,
  ) {
    this.logger =
      options.logger === false ? undefined : (options.logger ?? new Logger('RtmpRelay'));
  }

  onModuleInit(): void {
    const rules = this.options.relays ?? [];
    if (rules.length === 0) return;
    this.subscription = this.rtmp.streamStarted$.subscribe((stream) => this.applyRules(stream));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.all([...this.running.values()].map(({ relay }) => relay.stop()));
    this.handles.complete();
  }

  /** The relays running now. */
  list(): readonly RelayHandle[] {
    return this.handles.value;
  }

  /**
   * Starts restreaming the live stream `app/name` to `url`. Throws if the stream is not live
   * or the URL is not an rtmp:// or rtmps:// URL with an app and a stream name.
   */
  start(app: string, name: string, url: string): RelayHandle {
    const stream = this.rtmp.liveStream(app, name);
    if (stream === undefined) {
      throw new Error(`cannot relay ${app}/${maskStreamKey(name)}: the stream is not live`);
    }
    const relay = new StreamRelay(stream, url, { backoff: this.options.relayBackoff });
    const status = new BehaviorSubject<RelayStatus>(relay.status);
    const id = this.nextId++;
    const handle: RelayHandle = {
      id,
      app,
      name,
      destination: relay.destination,
      status$: status.asObservable(),
      counters: relay.counters,
      stop: () => relay.stop(),
    };
    const label = `${app}/${maskStreamKey(name)} → ${relay.destination}`;
    relay.onStatus((next) => {
      status.next(next);
      if (next.state === 'retrying') {
        this.logger?.warn(
          `${label}: ${next.error?.message ?? 'disconnected'}; retrying in ${next.retryInMs} ms`,
        );
      } else if (next.state === 'live') {
        this.logger?.log(`${label}: live`);
      } else if (next.state === 'stopped') {
        status.complete();
        this.running.delete(id);
        this.publishList();
      }
    });
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
          this.logger?.error(`relay rule "${rule.match}" failed: ${(error as Error).message}`);
        }
      }
    }
  }

  private publishList(): void {
    this.handles.next([...this.running.values()].map(({ handle }) => handle));
  }
}
