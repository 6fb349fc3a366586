import {
  Global,
  Inject,
  Injectable,
  LoggerService,
  Module,
  OnModuleDestroy,
  OnModuleInit,
  Type,
} from '@nestjs/common';
import { createWriteStream, mkdirSync } from 'fs';
import { join } from 'path';
import { map, NEVER, Subscription, timer } from 'rxjs';
import {
  FlvPacketWriter,
  FlvWriter,
  MediaPacket,
  StreamDecision,
  StreamRequest,
  StreamVerdicts,
  RtmpModule,
  RtmpServerService,
  RtmpStream,
  StreamKeyVerifier,
  VerdictResult,
} from '../../src';
import { addPacket, emptySummary, MediaSummary } from './media-summary';

/*
 * A small Nest application around RtmpModule.forRoot, as a user would write one: a verifier
 * that injects a service of the application, and a service that consumes streamStarted$ and
 * packets() from onModuleInit, counts what it gets and records it to FLV.
 */

/** The reason the test verifier gives when it refuses a key. */
export const REJECTION_REASON = 'The key store does not know this key.';
/** The message of the test verifier's exception (prefix `throw-`). */
export const VERIFIER_FAILURE = 'key store unavailable';

/**
 * How the key store answers, chosen by the stream name's prefix: `rx-` accepts through an
 * Observable, `promise-` through a Promise, `bad-` refuses, `throw-` throws, `hang-` never
 * answers (an Observable that never emits).
 */
export type KeyBehaviour = 'observable' | 'promise' | 'reject' | 'throw' | 'hang';

const PREFIXES: readonly (readonly [string, KeyBehaviour])[] = [
  ['rx-', 'observable'],
  ['promise-', 'promise'],
  ['bad-', 'reject'],
  ['throw-', 'throw'],
  ['hang-', 'hang'],
];

/** One call of the verifier. */
export interface VerifierCall {
  readonly streamName: string;
  readonly at: number;
}

/** An application service the verifier depends on; it also counts the verifier's calls. */
@Injectable()
export class KeyStore {
  readonly calls: VerifierCall[] = [];

  behaviourOf(streamName: string): KeyBehaviour {
    return PREFIXES.find(([prefix]) => streamName.startsWith(prefix))?.[1] ?? 'reject';
  }

  callsFor(streamName: string): VerifierCall[] {
    return this.calls.filter((call) => call.streamName === streamName);
  }
}

/**
 * Global, like most configuration and repository modules: a verifier registered through
 * `forRoot({ verifier })` is instantiated inside RtmpModule, so it can inject global providers
 * (with forRoot) or those of `forRootAsync({ imports })`.
 */
@Global()
@Module({ providers: [KeyStore], exports: [KeyStore] })
export class KeyStoreModule {}

@Injectable()
export class TestVerifier extends StreamKeyVerifier {
  constructor(readonly keys: KeyStore) {
    super();
  }

  verify(request: StreamRequest): VerdictResult {
    this.keys.calls.push({ streamName: request.streamName, at: performance.now() });
    switch (this.keys.behaviourOf(request.streamName)) {
      case 'observable':
        return timer(5).pipe(map(() => StreamVerdicts.accept()));
      case 'promise':
        return new Promise((resolve) => setTimeout(() => resolve(StreamVerdicts.accept()), 5));
      case 'reject':
        return StreamVerdicts.reject(REJECTION_REASON);
      case 'throw':
        throw new Error(VERIFIER_FAILURE);
      case 'hang':
        return NEVER;
    }
  }
}

/** What the consumer service got from one stream. */
export interface ConsumedStream {
  readonly stream: RtmpStream;
  readonly summary: MediaSummary;
  /** Keys of `liveStreams()` when the stream started. */
  readonly liveAtStart: readonly string[];
  /**
   * Resolves with `complete` when packets() completes, with `stopped` when the service stopped
   * listening first (the application closing); rejects when packets() errors.
   */
  readonly completed: Promise<'complete' | 'stopped'>;
  /** Resolves with the recording's path once the file is closed. */
  readonly recording: Promise<string>;
}

export interface TestAppSettings {
  /** Where the consumer records each stream, as `<name>.flv`. */
  readonly recordDir: string;
  /** RtmpModule's logger. */
  readonly logger: LoggerService;
  /** Passed to forRoot. */
  readonly verifierTimeoutMs: number;
}

export const TEST_APP_SETTINGS = Symbol('TEST_APP_SETTINGS');

/** Consumes everything RtmpServerService offers, subscribed from onModuleInit. */
@Injectable()
export class StreamConsumer implements OnModuleInit, OnModuleDestroy {
  /** streamRequests$, in order, with when each decision arrived. */
  readonly decisions: (StreamDecision & { readonly at: number })[] = [];
  /** Every value of liveStreams$, as stream keys. */
  readonly liveHistory: string[][] = [];
  private readonly consumed = new Map<string, ConsumedStream>();
  /** Ends the recordings still open, when the service stops listening. */
  private readonly stopRecordings = new Set<() => void>();
  private readonly waiters = new Map<string, (consumed: ConsumedStream) => void>();
  private readonly subscriptions = new Subscription();

  constructor(
    private readonly rtmp: RtmpServerService,
    @Inject(TEST_APP_SETTINGS) private readonly settings: TestAppSettings,
  ) {}

  onModuleInit(): void {
    mkdirSync(this.settings.recordDir, { recursive: true });
    this.subscriptions.add(
      this.rtmp.streamRequests$.subscribe((decision) =>
        this.decisions.push({ ...decision, at: performance.now() }),
      ),
    );
    this.subscriptions.add(
      this.rtmp.liveStreams$.subscribe((streams) =>
        this.liveHistory.push(streams.map((stream) => stream.key)),
      ),
    );
    this.subscriptions.add(this.rtmp.streamStarted$.subscribe((stream) => this.consume(stream)));
  }

  /** Stops listening and closes the recordings still open. */
  async onModuleDestroy(): Promise<void> {
    this.subscriptions.unsubscribe();
    for (const stop of this.stopRecordings) stop();
    await Promise.all([...this.consumed.values()].map((consumed) => consumed.recording));
  }

  /** Whether a stream of that name ever started. */
  has(name: string): boolean {
    return this.consumed.has(name);
  }

  /** Resolves when the stream `name` has started (or at once if it has). */
  streamNamed(name: string): Promise<ConsumedStream> {
    const known = this.consumed.get(name);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.set(name, resolve));
  }

  private consume(stream: RtmpStream): void {
    const summary = emptySummary();
    const path = join(this.settings.recordDir, `${stream.name}.flv`);
    const file = createWriteStream(path);
    const writer = new FlvWriter((chunk) => file.write(chunk), { audio: true, video: true });
    const packets = new FlvPacketWriter(writer);
    const record = (packet: MediaPacket): void => packets.write(packet);
    let finish: (outcome: 'complete' | 'stopped' | Error) => void = () => undefined;
    const completed = new Promise<'complete' | 'stopped'>((resolve, reject) => {
      finish = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
    });
    const stop = (): void => finish('stopped');
    this.stopRecordings.add(stop);
    const recording = completed
      .catch(() => undefined)
      .then(
        () =>
          new Promise<string>((resolve, reject) => {
            this.stopRecordings.delete(stop);
            file.once('error', reject);
            writer.writeHeader();
            file.end(() => resolve(path));
          }),
      );
    const consumed: ConsumedStream = {
      stream,
      summary,
      liveAtStart: this.rtmp.liveStreams().map((live) => live.key),
      completed,
      recording,
    };
    this.consumed.set(stream.name, consumed);
    this.subscriptions.add(
      this.rtmp.packets(stream.app, stream.name).subscribe({
        next: (packet) => {
          addPacket(summary, packet);
          record(packet);
        },
        complete: () => finish('complete'),
        error: (error: Error) => finish(error),
      }),
    );
    this.waiters.get(stream.name)?.(consumed);
    this.waiters.delete(stream.name);
  }
}

/** The application module: RtmpModule.forRoot with the DI-built verifier, and the consumer. */
export function createTestAppModule(settings: TestAppSettings): Type<unknown> {
  @Module({
    imports: [
      KeyStoreModule,
      RtmpModule.forRoot({
        port: 0,
        host: '127.0.0.1',
        apps: ['live'],
        verifierTimeoutMs: settings.verifierTimeoutMs,
        logger: settings.logger,
        verifier: TestVerifier,
      }),
    ],
    providers: [StreamConsumer, { provide: TEST_APP_SETTINGS, useValue: settings }],
  })
  class TestAppModule {}
  return TestAppModule;
}
