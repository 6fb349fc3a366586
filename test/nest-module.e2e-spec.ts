import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHook } from 'async_hooks';
import { mkdtempSync, rmSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { config as rxjsConfig, filter, firstValueFrom, lastValueFrom, skip, tap } from 'rxjs';
import { MediaPacket, RtmpServerService, StreamKeyVerifier, VideoPacket } from '../src';
import { CaptureLogger } from './support/capture-logger';
import { killAllProcesses, ProcessResult } from './support/child-processes';
import { probeMedia, ProbeResult, PublishOptions, publishWithFfmpeg } from './support/ffmpeg';
import { addPacket, emptySummary, MediaSummary, summarizeFlvFile } from './support/media-summary';
import {
  ConsumedStream,
  createTestAppModule,
  KeyStore,
  REJECTION_REASON,
  StreamConsumer,
  TestVerifier,
  VERIFIER_FAILURE,
} from './support/nest-test-app';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/*
 * RtmpModule inside a real Nest application (test/support/nest-test-app.ts): forRoot with a
 * verifier built by DI, a service consuming streamStarted$ and packets() from onModuleInit, and
 * FFmpeg publishing a generated 4 s H.264 + AAC clip. Everything waits on events (process exit,
 * stream start, packets() completion, log lines), never on sleeps.
 */

const VERIFIER_TIMEOUT_MS = 300;

/** FFmpeg's stderr lines apart from the one every RTMP output prints (no seeking back). */
function ffmpegComplaints(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/Failed to update header with correct/.test(line));
}

function isVideoFrame(packet: MediaPacket): packet is VideoPacket {
  return packet.type === 'video' && !packet.tag.isSequenceHeader;
}

/** Blocks the event loop, as a CPU-bound consumer would. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Spinning on purpose.
  }
}

/** Listening and connected sockets open in this process, by type. */
function openSockets(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) {
    if (type === 'TCPServerWrap' || type === 'TCPSocketWrap')
      counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/**
 * Records every timer and immediate created from now on by the library, Nest, RxJS or the test,
 * so the test can list those still pending, unref'd ones included. A process-wide count would
 * also see the test runner's own timers.
 */
function trackTimers(): { stop(): void; pending(): string[] } {
  const created: { type: string; resource: { _destroyed?: boolean }; stack: string }[] = [];
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type !== 'Timeout' && type !== 'Immediate') return;
      const stack = (new Error().stack ?? '').split('\n').slice(3, 9).join('\n');
      // The test runner's own (its reporter ticks in this process when run in band).
      if (/node_modules\/(@jest\/|jest-)/.test(stack)) return;
      created.push({ type, resource: resource as { _destroyed?: boolean }, stack });
    },
  }).enable();
  return {
    stop: () => hook.disable(),
    // Node marks a timer or immediate `_destroyed` once it has run or been cleared.
    pending: () =>
      created
        .filter(({ resource }) => resource._destroyed !== true)
        .map(({ type, stack }) => `${type}\n${stack}`),
  };
}

/** Resolves with the error code of a TCP connect to the port (undefined if it connected). */
function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

/** The checks every intact delivery passes: the subscriber got exactly what the source holds. */
function expectSameMedia(received: MediaSummary, source: MediaSummary): void {
  expect(received.videoFrames).toBe(source.videoFrames);
  expect(received.audioFrames).toBe(source.audioFrames);
  expect(received.keyFrameIndexes).toEqual(source.keyFrameIndexes);
  expect(received.videoTimestamps).toEqual(source.videoTimestamps);
  expect(received.audioTimestamps).toEqual(source.audioTimestamps);
  expect(received.videoSequenceHeaders).toBe(1);
  expect(received.audioSequenceHeaders).toBe(1);
  expect(received.metadataPackets).toBe(1);
}

describe('RtmpModule in a Nest application, with real FFmpeg', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-nest-'));
  const clipPath = join(workDir, 'clip.flv');
  /** The logger of the application the first block closes. */
  const closedAppLogger = new CaptureLogger();
  let source: MediaSummary;
  let sourceProbe: ProbeResult;

  beforeAll(async () => {
    await generateTestMedia(clipPath, SMALL_TEST_MEDIA);
    source = summarizeFlvFile(clipPath);
    sourceProbe = await probeMedia(clipPath);
  }, 60_000);

  afterAll(() => {
    killAllProcesses();
    rmSync(workDir, { recursive: true, force: true });
  });

  // First, so that the application of the next block is the second one of this process: RxJS's
  // error handler, installed by this one, must then log through the live application's logger.
  describe('closing the application while a stream is live', () => {
    it('tells the publisher, completes packets(), and leaves no socket or timer open', async () => {
      const socketsBefore = openSockets();
      const timers = trackTimers();
      const app = await NestFactory.createApplicationContext(
        createTestAppModule({
          recordDir: join(workDir, 'recordings-close'),
          logger: closedAppLogger,
          verifierTimeoutMs: VERIFIER_TIMEOUT_MS,
        }),
        { logger: false },
      );
      let closed = false;
      try {
        await app.init();
        const rtmp = app.get(RtmpServerService);
        const consumer = app.get(StreamConsumer);
        const port = rtmp.address()?.port ?? 0;
        // Real time: the 4 s clip is still being sent when the application closes.
        const run = publishWithFfmpeg(clipPath, `rtmp://127.0.0.1:${port}/live/rx-closing`, {
          realtime: true,
        });
        // A subscriber that stays subscribed through the shutdown (the consumer service stops
        // listening in onModuleDestroy, before the server closes).
        const received = emptySummary();
        const packetsDone = lastValueFrom(
          rtmp.packets('live', 'rx-closing').pipe(tap((packet) => addPacket(received, packet))),
        );
        await firstValueFrom(
          rtmp.packets('live', 'rx-closing').pipe(filter(isVideoFrame), skip(4)),
        );
        const consumed = await consumer.streamNamed('rx-closing');
        const requestsDone = lastValueFrom(rtmp.streamRequests$, { defaultValue: 'completed' });
        const startsDone = lastValueFrom(rtmp.streamStarted$, { defaultValue: 'completed' });

        await app.close();
        closed = true;

        // FFmpeg is told and exits, long before its clip would have ended.
        const result = await run;
        expect(result.signal).toBeNull();
        await packetsDone;
        expect(consumed.stream.ended).toEqual({ reason: 'server-closed' });
        expect(received.videoFrames).toBeGreaterThanOrEqual(5);
        expect(received.videoFrames).toBeLessThan(source.videoFrames);
        // The consumer service stopped at onModuleDestroy and closed its recording, which plays.
        expect(await consumed.completed).toBe('stopped');
        const probe = await probeMedia(await consumed.recording);
        expect(probe.video?.frames).toBeGreaterThan(0);
        // The hot streams completed with the application.
        expect(await requestsDone).toBe('completed');
        expect(await startsDone).toBe('completed');
        expect(rtmp.liveStreams()).toEqual([]);
        // Nothing left open: no socket, timer or immediate, and the port refuses connections.
        expect(openSockets()).toEqual(socketsBefore);
        expect(timers.pending()).toEqual([]);
        expect(await connectError(port)).toBe('ECONNREFUSED');
      } finally {
        timers.stop();
        if (!closed) await app.close();
      }
    });
  });

  describe('a running application', () => {
    const logger = new CaptureLogger();
    /** Every stream name FFmpeg was pointed at, in order. */
    const published: string[] = [];
    let app: INestApplicationContext;
    let rtmp: RtmpServerService;
    let keys: KeyStore;
    let consumer: StreamConsumer;
    let baseUrl: string;

    function publish(name: string, options?: PublishOptions): Promise<ProcessResult> {
      published.push(name);
      return publishWithFfmpeg(clipPath, `${baseUrl}/${name}`, options);
    }

    /** Publishes `name` and returns what the consumer service got, once packets() completed. */
    async function publishIntact(name: string): Promise<ConsumedStream> {
      const result = await publish(name);
      expect(ffmpegComplaints(result.stderr)).toEqual([]);
      expect(result.code).toBe(0);
      const consumed = await consumer.streamNamed(name);
      expect(await consumed.completed).toBe('complete');
      expectSameMedia(consumed.summary, source);
      return consumed;
    }

    beforeAll(async () => {
      const module = createTestAppModule({
        recordDir: join(workDir, 'recordings'),
        logger,
        verifierTimeoutMs: VERIFIER_TIMEOUT_MS,
      });
      app = await NestFactory.createApplicationContext(module, { logger: false });
      await app.init();
      rtmp = app.get(RtmpServerService);
      keys = app.get(KeyStore);
      consumer = app.get(StreamConsumer);
      const address = rtmp.address();
      if (address === undefined) throw new Error('the RTMP server is not listening');
      baseUrl = `rtmp://127.0.0.1:${address.port}/live`;
    });

    afterAll(async () => {
      killAllProcesses();
      await app?.close();
    });

    it('listens on the port the OS picked and builds the verifier with DI (it injects KeyStore)', () => {
      expect(rtmp.address()).toMatchObject({ address: '127.0.0.1' });
      expect(rtmp.address()?.port).toBeGreaterThan(0);
      const verifier = app.get(StreamKeyVerifier);
      expect(verifier).toBeInstanceOf(TestVerifier);
      expect((verifier as TestVerifier).keys).toBe(keys);
    });

    it('delivers an accepted publish (Observable verdict) to the subscribing service, completes packets() when the publisher leaves, and the recording matches the source', async () => {
      const consumed = await publishIntact('rx-accepted');
      expect(consumed.stream).toMatchObject({ app: 'live', name: 'rx-accepted' });
      expect(consumed.stream.ended).toEqual({ reason: 'unpublished' });
      expect(consumed.stream.metadata?.metadata?.width).toBe(SMALL_TEST_MEDIA.width);
      expect(keys.callsFor('rx-accepted')).toHaveLength(1);

      const probe = await probeMedia(await consumed.recording);
      expect(probe.video).toEqual(sourceProbe.video);
      expect(probe.audio).toEqual(sourceProbe.audio);
    });

    it('accepts through a verifier that returns a Promise; streamRequests$ and liveStreams$ report the stream', async () => {
      const consumed = await publishIntact('promise-accepted');
      expect(keys.callsFor('promise-accepted')).toHaveLength(1);
      expect(consumer.decisions.find((d) => d.request.streamName === 'promise-accepted')).toEqual(
        expect.objectContaining({
          request: expect.objectContaining({
            app: 'live',
            streamName: 'promise-accepted',
            remoteAddress: '127.0.0.1',
          }),
          verdict: { accepted: true },
        }),
      );
      // Live while it ran (liveStreams() at streamStarted$, and a liveStreams$ value)...
      expect(consumed.liveAtStart).toContain('live/promise-accepted');
      expect(consumer.liveHistory.some((keys) => keys.includes('live/promise-accepted'))).toBe(
        true,
      );
      // ...and not once the publisher left.
      const latest = await firstValueFrom(rtmp.liveStreams$);
      expect(latest.map((stream) => stream.key)).not.toContain('live/promise-accepted');
      expect(consumer.liveHistory.at(-1)).not.toContain('live/promise-accepted');
      expect(rtmp.liveStreams()).toEqual([]);
    });

    it('rejects a publish the verifier refuses: FFmpeg exits non-zero with the reason, subscribers get nothing', async () => {
      const delivered: MediaPacket[] = [];
      const early = rtmp.packets('live', 'bad-key').subscribe((packet) => delivered.push(packet));
      try {
        const result = await publish('bad-key');
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(REJECTION_REASON);
        expect(keys.callsFor('bad-key')).toHaveLength(1);
        expect(consumer.decisions.find((d) => d.request.streamName === 'bad-key')?.verdict).toEqual(
          { accepted: false, reason: REJECTION_REASON, code: 'BadName' },
        );
        expect(consumer.has('bad-key')).toBe(false);
        expect(delivered).toEqual([]);
      } finally {
        early.unsubscribe();
      }
    });

    it('rejects a publish when the verifier throws, and logs why', async () => {
      const result = await publish('throw-key-123');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Verification failed.');
      expect(keys.callsFor('throw-key-123')).toHaveLength(1);
      expect(consumer.has('throw-key-123')).toBe(false);
      const logged = logger.matching(/verifier threw/, 'error').map((line) => line.message);
      expect(logged).toEqual([expect.stringContaining(VERIFIER_FAILURE)]);
      // The key is masked in the log.
      expect(logged[0]).not.toContain('throw-key-123');
    });

    it(`rejects a publish when the verifier never answers, after verifierTimeoutMs (${VERIFIER_TIMEOUT_MS} ms)`, async () => {
      const result = await publish('hang-key');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Verification timed out.');
      expect(consumer.has('hang-key')).toBe(false);
      const [call] = keys.callsFor('hang-key');
      const decision = consumer.decisions.find((d) => d.request.streamName === 'hang-key');
      expect(decision?.verdict).toMatchObject({ accepted: false });
      // The timer may fire a little early by the clock's rounding, never much.
      expect((decision?.at ?? 0) - call.at).toBeGreaterThanOrEqual(VERIFIER_TIMEOUT_MS - 5);
    });

    it('keeps recording for one subscriber while another throws on every packet; the errors are logged, not thrown', async () => {
      // The module isolates its own subscribers; RxJS's process-wide handler is left alone.
      expect(rxjsConfig.onUnhandledError).toBeNull();
      let calls = 0;
      let throwingCompleted = false;
      const throwing = rtmp.packets('live', 'rx-throwing').subscribe({
        next: () => {
          calls += 1;
          throw new Error(`consumer bug #${calls}`);
        },
        complete: () => (throwingCompleted = true),
      });
      try {
        const consumed = await publishIntact('rx-throwing');
        const probe = await probeMedia(await consumed.recording);
        expect(probe.video).toEqual(sourceProbe.video);
        expect(probe.audio).toEqual(sourceProbe.audio);

        // It kept receiving (every packet of the stream) and saw the end...
        const { summary } = consumed;
        expect(calls).toBe(
          summary.videoFrames +
            summary.audioFrames +
            summary.videoSequenceHeaders +
            summary.audioSequenceHeaders +
            summary.metadataPackets,
        );
        expect(throwingCompleted).toBe(true);
        // ...and each exception reached this application's logger, not the closed one's.
        expect(closedAppLogger.matching(/a subscriber threw/)).toEqual([]);
        const errors = await logger.waitForCount(
          /a subscriber threw: Error: consumer bug #/,
          calls,
        );
        expect(errors).toHaveLength(calls);
        expect(errors.every((line) => line.level === 'error')).toBe(true);
      } finally {
        throwing.unsubscribe();
      }
    });

    it('drops media for a slow subscriber, which resumes at a keyframe, while a normal one on the same stream gets everything', async () => {
      const slow = emptySummary();
      const slowVideo: VideoPacket[] = [];
      const slowDone = lastValueFrom(
        rtmp.packets('live', 'rx-slow', { maxQueuedBytes: 64 * 1024 }).pipe(
          tap((packet) => {
            busyWait(20);
            addPacket(slow, packet);
            if (isVideoFrame(packet)) slowVideo.push(packet);
          }),
        ),
      );
      // The consumer service's subscriber (default queue) checks it got every packet.
      await publishIntact('rx-slow');
      await slowDone;

      expect(slow.videoFrames).toBeLessThan(source.videoFrames);
      expect(slow.videoSequenceHeaders).toBe(1);
      expect(logger.matching(/subscriber of live\/.* is too slow/, 'warn').length).toBeGreaterThan(
        0,
      );
      // Where each received frame sits in the source. A frame that does not follow the one
      // received before it (for the first, the source's first) comes after a drop, and the
      // policy resumes media at a keyframe there.
      // FLV timestamps are whole milliseconds, so two source frames may share one: a frame's
      // place is the first with its timestamp after the place of the frame received before it.
      const indexesOf = new Map<number, number[]>();
      source.videoTimestamps.forEach((timestamp, index) =>
        indexesOf.set(timestamp, [...(indexesOf.get(timestamp) ?? []), index]),
      );
      const positions: number[] = [];
      for (const packet of slowVideo) {
        const after = positions.length === 0 ? -1 : positions[positions.length - 1];
        const place = (indexesOf.get(packet.timestamp) ?? []).find((index) => index > after);
        positions.push(place ?? -1);
      }
      expect(positions).not.toContain(-1);
      const resumes = slowVideo.filter(
        (_, i) => positions[i] !== (i === 0 ? 0 : positions[i - 1] + 1),
      );
      expect(resumes.length).toBeGreaterThan(0);
      // On failure the diff shows every received frame's place in the source.
      const notKeyFrames = resumes.filter((packet) => !packet.tag.isKeyFrame);
      expect({
        positions,
        resumesOnNonKeyFrames: notKeyFrames.map((p) => positions[slowVideo.indexOf(p)]),
      }).toEqual({ positions, resumesOnNonKeyFrames: [] });
    }, 30_000);

    it('asks the verifier exactly once per publish, and streamRequests$ emits each with its verdict', () => {
      expect(keys.calls.map((call) => call.streamName)).toEqual(published);
      expect(consumer.decisions.map((d) => d.request.streamName)).toEqual(published);
      for (const decision of consumer.decisions) {
        const name = decision.request.streamName;
        const accepted = name.startsWith('rx-') || name.startsWith('promise-');
        expect(decision.verdict.accepted).toBe(accepted);
      }
    });
  });
});
