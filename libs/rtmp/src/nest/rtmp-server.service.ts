import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  LoggerService,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { AddressInfo } from 'net';
import {
  BehaviorSubject,
  firstValueFrom,
  isObservable,
  Observable,
  ReplaySubject,
  Subject,
} from 'rxjs';
import { BoundedPacketQueue } from '../media/bounded-packet-queue';
import { LiveStream } from '../server/live-stream';
import { LocalPublisher, LocalPublishOrigin } from '../server/local-publisher';
import { maskStreamKey } from '../common/mask-stream-key';
import { MediaPacket } from '../media/media-packet';
import { assertKnownOptions } from '../server/option-names';
import { StreamRequest, StreamVerdict } from '../server/stream-request';
import { RtmpLogger } from '../server/rtmp-logger';
import { PlayEnded, StreamDecision, RtmpServer } from '../server/rtmp-server';
import { RTMP_SERVER_OPTION_NAMES, RtmpServerOptions } from '../server/rtmp-server.options';
import { StreamPlayer } from '../server/stream-player';
import { DuplicateStreamKeyVerifierError } from './duplicate-verifier.error';
import { IsolatedObservable } from './isolated-observable';
import { MissingStreamKeyVerifierError } from './missing-verifier.error';
import { RTMP_MODULE_OPTION_NAMES, RtmpModuleOptions } from './rtmp-module-options.interface';
import { RTMP_MODULE_OPTIONS } from './rtmp-module-options.token';
import { RtmpPlayEnded, RtmpPlayer } from './rtmp-player';
import { RtmpStream, RtmpStreamEnded } from './rtmp-stream';
import { StreamKeyVerifier } from './stream-key-verifier';
import { verifierRegistrations } from './verifier-registrations';

/** Options of a packet subscription. */
export interface PacketsOptions {
  /**
   * Most bytes queued for this subscriber before it is considered slow; then its queued media
   * is dropped and it resumes at the next keyframe. Defaults to `maxQueuedBytesPerConsumer`.
   */
  readonly maxQueuedBytes?: number;
}

/** Keys the service's internal accessor; not exported from the package. */
const LIVE_STREAM = Symbol('RtmpServerService.liveStream');

/**
 * The live stream `app/name` itself, for this package's relay service and its tests: listeners
 * called in the publisher's turn, the GOP cache. Not public API (applications use `packets()`
 * and the `RtmpStream` views), so it is a function of this file, not a method of the service.
 */
export function liveStreamOf(
  service: RtmpServerService,
  app: string,
  name: string,
): LiveStream | undefined {
  return service[LIVE_STREAM](app, name);
}

/** When something that started at `startedAt` ended (now), and how long it lasted. */
function endedSince(startedAt: Date): { endedAt: Date; durationMs: number } {
  const endedAt = new Date();
  return { endedAt, durationMs: endedAt.getTime() - startedAt.getTime() };
}

/**
 * The RTMP server as Nest and RxJS users expect it: listens on application bootstrap, closes
 * gracefully on shutdown, and exposes publishes and media as Observables.
 *
 * - `streamRequests$`: every publish and play request with its verdict (hot).
 * - `streamStarted$` / `streamEnded$`: every accepted stream as it starts and ends (hot);
 *   `liveStreams$`: the set live now, with player counts (replays the current set to late
 *   subscribers).
 * - `playStarted$` / `playEnded$`: every accepted play as it starts and ends (hot);
 *   `players(app, name)`: who plays a stream now.
 * - `packets(app, name)`: that stream's audio, video and metadata packets (cold per subscriber).
 * - `disconnect(app, name, reason)`: ends a publish (the publisher is told why).
 *
 * @publicApi
 */
@Injectable()
export class RtmpServerService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger: LoggerService | undefined;
  private readonly subscriberErrorLogger: LoggerService;
  private server: RtmpServer | undefined;
  private verifier: StreamKeyVerifier | undefined;
  private readonly decisions = new Subject<StreamDecision>();
  private readonly starts = new Subject<RtmpStream>();
  private readonly ends = new Subject<RtmpStreamEnded>();
  private readonly playStarts = new Subject<RtmpPlayer>();
  private readonly playEnds = new Subject<RtmpPlayEnded>();
  private readonly live = new BehaviorSubject<readonly RtmpStream[]>([]);
  private readonly serverStarted = new ReplaySubject<RtmpServer>(1);

  /** Every publish and play request with the verdict it got, accepted or not. Hot. */
  readonly streamRequests$: Observable<StreamDecision> = this.isolated(this.decisions);
  /** @deprecated Renamed `streamRequests$`: plays are decided too. Removed in the next release. */
  readonly publishRequests$: Observable<StreamDecision> = this.streamRequests$;
  /** Every accepted stream, as it starts. Hot. */
  readonly streamStarted$: Observable<RtmpStream> = this.isolated(this.starts);
  /** Every stream that had started, as it ends: why, its totals and its duration. Hot. */
  readonly streamEnded$: Observable<RtmpStreamEnded> = this.isolated(this.ends);
  /**
   * The streams live now; a new subscriber gets the current set at once. Emits again when a
   * stream starts or ends and when a live stream's player count changes.
   */
  readonly liveStreams$: Observable<readonly RtmpStream[]> = this.isolated(this.live);
  /** Every accepted play, as it starts (also while it waits for its stream to go live). Hot. */
  readonly playStarted$: Observable<RtmpPlayer> = this.isolated(this.playStarts);
  /** Every play that had started, as it ends: why, its totals and its duration. Hot. */
  readonly playEnded$: Observable<RtmpPlayEnded> = this.isolated(this.playEnds);

  constructor(
    @Inject(RTMP_MODULE_OPTIONS) private readonly options: RtmpModuleOptions,
    private readonly modules: ModulesContainer,
  ) {
    this.logger = options.logger === false ? undefined : (options.logger ?? new Logger('Rtmp'));
    this.subscriberErrorLogger = this.logger ?? new Logger('Rtmp');
  }

  /** Finds the verifier at init, so a missing one stops the application from starting. */
  onModuleInit(): void {
    assertKnownOptions(this.options, RTMP_MODULE_OPTION_NAMES, 'RtmpModule');
    const registrations = verifierRegistrations(this.modules, this.options.verifierInstance);
    if (registrations.length === 0) throw new MissingStreamKeyVerifierError();
    if (registrations.length > 1) {
      throw new DuplicateStreamKeyVerifierError(registrations.map((r) => r.description));
    }
    this.verifier = registrations[0].verifier;
  }

  async onApplicationBootstrap(): Promise<void> {
    // The server's own options, picked by name: the module's (relays, logger...) stay here.
    const serverOptions = Object.fromEntries(
      Object.entries(this.options).filter(([key]) => RTMP_SERVER_OPTION_NAMES.has(key)),
    ) as Partial<RtmpServerOptions>;
    const server = new RtmpServer(serverOptions, {
      verifyRequest: (request, signal) => this.verify(request, signal),
      logger: this.serverLogger(),
    });
    server.onRequestDecision((decision) => this.decisions.next(decision));
    server.onStreamStart((stream) => this.onStreamStart(stream));
    server.onPlayStart((player) => this.onPlayStart(player));
    server.onPlayEnd((ended) => this.onPlayEnd(ended));
    this.server = server;
    const address = await server.listen();
    this.serverStarted.next(server);
    this.logger?.log(`RTMP server listening on ${address.address}:${address.port}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
    this.decisions.complete();
    this.starts.complete();
    this.ends.complete();
    this.playStarts.complete();
    this.playEnds.complete();
    this.live.complete();
    this.serverStarted.complete();
  }

  /** The bound address once the application has started (the real port when `port` is 0). */
  address(): AddressInfo | undefined {
    return this.server?.address();
  }

  /** The streams live now. */
  liveStreams(): readonly RtmpStream[] {
    return this.live.value;
  }

  /**
   * Who plays stream `app/name` now (the name players asked for: a stream's public name, if it
   * has one), waiting for it to go live included.
   */
  players(app: string, name: string): readonly RtmpPlayer[] {
    return this.server?.playersOf(app, name) ?? [];
  }

  /**
   * Ends the publish of `app/name` (its public name, if it has one) now, e.g. when a moderator
   * takes a stream down: the RTMP publisher is sent an error status (`NetStream.Publish.Denied`)
   * with `reason` (encoders show it), then its connection closes; `streamEnded$` reports reason
   * `kicked`. Its players behave as when any publisher leaves. Nothing stops the encoder from publishing again: to
   * keep it out, have the verifier refuse its key. False when the stream is not live.
   */
  disconnect(app: string, name: string, reason = 'Disconnected by the server.'): boolean {
    return this.server?.disconnect(app, name, reason) ?? false;
  }

  /** Resolves once the server listens (during application bootstrap). */
  whenListening(): Promise<void> {
    return firstValueFrom(this.serverStarted).then(() => undefined);
  }

  /**
   * Publishes stream `app/name` from inside the application (see `RtmpServer.publishLocal`):
   * players, `packets()` subscribers and relays see an ordinary live stream. Throws before
   * application bootstrap has created the server, when the key is held by a live publisher,
   * or while shutting down.
   */
  publishLocal(app: string, name: string, origin: LocalPublishOrigin): LocalPublisher {
    if (this.server === undefined) {
      throw new Error(
        `cannot publish ${app}/${maskStreamKey(name)}: the RTMP server has not started`,
      );
    }
    return this.server.publishLocal(app, name, origin);
  }

  /** See {@link liveStreamOf}. */
  [LIVE_STREAM](app: string, name: string): LiveStream | undefined {
    return this.server?.liveStreams().find((stream) => stream.key === `${app}/${name}`);
  }

  /**
   * The packets of stream `app/name` (`name`: its public name, if the verifier gave one): if it
   * is live, from now on (starting with its metadata, every track's sequence header and the
   * latest E-RTMP colorInfo / MultichannelConfig, then media from the next keyframe); otherwise
   * from when it starts.
   * Completes when the publisher leaves; errors only when a fatal error ended the publish.
   *
   * Each subscriber has its own bounded queue: a subscriber that falls behind loses queued
   * media and resumes at the next keyframe, and never slows the publisher or anyone else.
   * Payloads are views into socket memory: copy what you keep past the callback.
   */
  packets(app: string, name: string, options: PacketsOptions = {}): Observable<MediaPacket> {
    const key = `${app}/${name}`;
    const packets = new Observable<MediaPacket>((subscriber) => {
      let detach: () => void = () => undefined;
      const follow = (server: RtmpServer, stream: LiveStream): void => {
        const queue = new BoundedPacketQueue({
          maxQueuedBytes: options.maxQueuedBytes ?? server.options.maxQueuedBytesPerConsumer,
          deliver: (packet) => subscriber.next(packet),
          // Joining a stream that already sent media: wait for a keyframe, as players do.
          startAtKeyFrame: stream.mediaStarted,
          isGopStart: (packet) => stream.isGopStart(packet),
          onOverflow: (dropped) =>
            this.logger?.warn(
              `a subscriber of ${stream.label} is too slow: ${dropped} packet(s) dropped, resuming at the next keyframe`,
            ),
        });
        // Metadata, then every track's sequence header and E-RTMP colorInfo/MultichannelConfig.
        const { metadata } = stream;
        if (metadata !== undefined) queue.push(metadata);
        for (const packet of stream.decoderConfiguration) queue.push(packet);
        const stopPackets = stream.onPacket((packet) => queue.push(packet));
        const stopEnd = stream.onEnd((end) =>
          queue.drain(() => {
            if (end.reason === 'error') subscriber.error(end.error);
            else subscriber.complete();
          }),
        );
        detach = () => {
          stopPackets();
          stopEnd();
          queue.dispose();
        };
      };
      const watch = (server: RtmpServer): void => {
        const current = server.liveStreams().find((stream) => stream.key === key);
        if (current !== undefined) {
          follow(server, current);
          return;
        }
        const stopWaiting = server.onStreamStart((stream) => {
          if (stream.key !== key) return;
          stopWaiting();
          follow(server, stream);
        });
        detach = stopWaiting;
      };
      // Subscribing before bootstrap (from a constructor or onModuleInit) is fine: wait.
      const waitForServer = this.serverStarted.subscribe((server) => watch(server));
      detach = () => waitForServer.unsubscribe();
      return () => detach();
    });
    return this.isolated(packets);
  }

  private onStreamStart(stream: LiveStream): void {
    this.live.next([...this.live.value, stream]);
    stream.onEnd((end) => {
      this.live.next(this.live.value.filter((s) => s !== stream));
      this.ends.next({
        ...end,
        stream,
        stats: { ...stream.stats },
        ...endedSince(stream.startedAt),
      });
    });
    this.starts.next(stream);
  }

  private onPlayStart(player: StreamPlayer): void {
    this.playStarts.next(player);
    this.playersChanged(player);
  }

  private onPlayEnd({ player, end }: PlayEnded): void {
    this.playEnds.next({
      ...end,
      player,
      stats: { ...player.stats },
      ...endedSince(player.startedAt),
    });
    this.playersChanged(player);
  }

  /** A live stream's player count changed: `liveStreams$` subscribers see the new count. */
  private playersChanged(player: StreamPlayer): void {
    if (this.live.value.some((stream) => stream.key === player.key)) {
      this.live.next([...this.live.value]);
    }
  }

  /** Runs the verifier; Observables count by their first value. The server adds the timeout. */
  private verify(request: StreamRequest, signal: AbortSignal): Promise<StreamVerdict> {
    const result = (this.verifier as StreamKeyVerifier).verify(request, signal);
    return isObservable(result) ? firstValueFrom(result) : Promise.resolve(result);
  }

  /**
   * `source` as subscribers get it: an exception in their callbacks is logged, never thrown
   * (see IsolatedObservable), so one consumer's bug cannot stop the server or the others.
   */
  private isolated<T>(source: Observable<T>): Observable<T> {
    return new IsolatedObservable(source, (error, failure) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.subscriberErrorLogger.error(
        failure === 'subscriber-threw'
          ? `a subscriber threw: ${message}`
          : `an RTMP observable failed and its subscriber has no error callback: ${message}`,
      );
    });
  }

  private serverLogger(): RtmpLogger {
    const logger = this.logger;
    if (logger === undefined)
      return { log: () => undefined, warn: () => undefined, error: () => undefined };
    return {
      log: (message) => logger.log(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
      debug: (message) => logger.debug?.(message),
    };
  }
}
