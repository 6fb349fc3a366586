import { INestApplicationContext, LoggerService, Module } from '@nestjs/common';
import { liveStreamOf } from '../libs/rtmp/src/nest/rtmp-server.service';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Subscription } from 'rxjs';
import {
  AllowAllStreamKeyVerifier,
  maskStreamKey,
  MediaPacket,
  RelayHandle,
  RelayStatus,
  RtmpClientError,
  RtmpErrorCode,
  RtmpModule,
  RtmpRelayService,
  RtmpServerService,
  RtmpStream,
  StreamRelay,
  StreamRelayError,
} from '../libs/rtmp/src';
import { CaptureLogger } from './support/capture-logger';
import { killAllProcesses } from './support/child-processes';
import { FedRelaySource } from './support/fed-relay-source';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import {
  alignFrames,
  countFrames,
  decodeErrors,
  firstVideoPacketFlags,
  flvFrames,
  FrameAlignment,
  MediaFrame,
  packetFrame,
} from './support/media-frames';
import { addPacket, emptySummary, MediaSummary, summarizeFlvFile } from './support/media-summary';
import { NginxRtmp } from './support/nginx-rtmp';
import { freeLoopbackPort } from './support/ports';
import { ReconnectRequestingRtmpServer } from './support/reconnect-requesting-rtmp-server';
import { ScriptedRtmpClient } from './support/scripted-rtmp-client';
import { StallingRtmpServer } from './support/stalling-rtmp-server';
import { generateTestMedia } from './support/test-media';
import { createSelfSignedCertificate, TlsTerminator } from './support/tls-terminator';

/** 4 s at 25 fps with a keyframe every 12 frames (0.48 s), + AAC. */
const CLIP = { width: 320, height: 240, frameRate: 25, seconds: 4, gop: 12, videoBitrate: '300k' };
const BACKOFF = { initialDelayMs: 100, maxDelayMs: 500, multiplier: 2, jitter: 0.2 };
/** Our server relays to itself under this app, to see exactly what a relay sends. */
const CAPTURE_APP = 'capture';

/** What the ingest (or the capture app) received on one stream, in arrival order. */
interface Received {
  readonly stream: RtmpStream;
  readonly summary: MediaSummary;
  /** Every packet's kind in order: `metadata`, `video-header`, `audio-header`, `key`, `video`, `audio`. */
  readonly kinds: string[];
  /** Audio and video frames (headers apart), payloads copied. */
  readonly frames: MediaFrame[];
  /** For each frame, its index in `kinds`. */
  readonly frameKinds: number[];
  /** Resolves when the publish has ended. */
  readonly ended: Promise<void>;
  /** Resolves once a keyframe with a timestamp of at least `ms` has arrived. */
  keyFrameAt(ms: number): Promise<MediaFrame>;
}

/** A relay the test watches: every status it went through, in order. */
interface Watched {
  readonly handle: RelayHandle;
  readonly statuses: RelayStatus[];
  /** For each status, how many packets the source stream had delivered when it came. */
  readonly packetsAt: number[];
  /** Resolves when status$ completes (the relay stopped). */
  readonly stopped: Promise<void>;
  /** Resolves with the first status from now on (or the current one) that `matches`. */
  next(matches: (status: RelayStatus) => boolean): Promise<RelayStatus>;
}

function kindOf(packet: MediaPacket): string {
  if (packet.type === 'metadata') return 'metadata';
  if (packet.tag.isSequenceHeader) return `${packet.type}-header`;
  return packet.type === 'video' && packet.tag.isKeyFrame ? 'key' : packet.type;
}

describe('relay: FFmpeg → RtmpModule (StreamRelay) → nginx-rtmp', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-relay-'));
  const clipPath = join(workDir, 'clip.flv');
  let source: MediaSummary;
  let sourceProbe: ProbeResult;
  /** Destination of the live/*, dual/* and mid-stream relays. */
  let nginx: NginxRtmp;
  /** Destination of restart/*: stopped and started again mid-stream. */
  let restartable: NginxRtmp;
  /** A port nothing listens on: the dead destination. */
  let deadPort: number;
  /** Destination of moving/*: answers each publish with a ReconnectRequest to `elsewhere`. */
  let moving: ReconnectRequestingRtmpServer;
  /** Where `moving` asks the relay to go: another host, in plain rtmp. Must never be reached. */
  let elsewhere: ReconnectRequestingRtmpServer;
  let ingestPort: number;
  let app: INestApplicationContext | undefined;
  let relayService: RtmpRelayService;
  const received = new Map<string, Received>();
  const receivedWaiters = new Map<string, (value: Received) => void>();
  const watched: Watched[] = [];
  const watchedWaiters: (() => boolean)[] = [];
  const subscriptions = new Subscription();
  /** What the application logged through RtmpModule's `logger` option. */
  const logged: { level: string; message: string }[] = [];
  const moduleLogger: LoggerService = {
    log: (message: unknown) => logged.push({ level: 'log', message: String(message) }),
    warn: (message: unknown) => logged.push({ level: 'warn', message: String(message) }),
    error: (message: unknown) => logged.push({ level: 'error', message: String(message) }),
  };

  function ingestUrl(appName: string, name: string): string {
    return `rtmp://127.0.0.1:${ingestPort}/${appName}/${name}`;
  }

  /** Resolves with what the server received on `app/name` once that stream has started. */
  function receivedOn(key: string): Promise<Received> {
    const known = received.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => receivedWaiters.set(key, resolve));
  }

  /** Resolves with the relay of `app/name` to `port` once it has been started. */
  function relayOf(appName: string, name: string, port: number): Promise<Watched> {
    const find = (): Watched | undefined =>
      watched.find(
        (w) =>
          w.handle.app === appName &&
          w.handle.name === name &&
          w.handle.destination.includes(`:${port}/`),
      );
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = find();
        if (found !== undefined) resolve(found);
        return found !== undefined;
      };
      if (!check()) watchedWaiters.push(check);
    });
  }

  /**
   * Follows a stream the way its relays do: LiveStream listeners, called synchronously in the
   * same turn as the relay's (packets() would deliver a turn later), so what the test saw when
   * a relay changed state is exactly what the relay had seen.
   */
  function onStreamStarted(rtmp: RtmpServerService, started: RtmpStream): void {
    const stream = liveStreamOf(rtmp, started.app, started.name);
    if (stream === undefined) throw new Error(`${started.key} started but is not live`);
    const summary = emptySummary();
    const kinds: string[] = [];
    const frames: MediaFrame[] = [];
    const frameKinds: number[] = [];
    const keyFrameWaiters: { ms: number; resolve: (frame: MediaFrame) => void }[] = [];
    const ended = new Promise<void>((resolve) => stream.onEnd(() => resolve()));
    const entry: Received = {
      stream: started,
      summary,
      kinds,
      frames,
      frameKinds,
      ended,
      keyFrameAt: (ms) => {
        const found = frames.find((f) => f.keyFrame && f.timestamp >= ms);
        if (found !== undefined) return Promise.resolve(found);
        return new Promise((resolve) => keyFrameWaiters.push({ ms, resolve }));
      },
    };
    received.set(started.key, entry);
    stream.onPacket((packet) => {
      addPacket(summary, packet);
      kinds.push(kindOf(packet));
      const frame = packetFrame(packet);
      if (frame === undefined) return;
      frames.push(frame);
      frameKinds.push(kinds.length - 1);
      if (!frame.keyFrame) return;
      for (const waiter of keyFrameWaiters.filter((w) => frame.timestamp >= w.ms)) {
        keyFrameWaiters.splice(keyFrameWaiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    });
    receivedWaiters.get(started.key)?.(entry);
    receivedWaiters.delete(started.key);
  }

  function watch(handle: RelayHandle): void {
    const statuses: RelayStatus[] = [];
    const packetsAt: number[] = [];
    const listeners: { matches: (s: RelayStatus) => boolean; resolve: (s: RelayStatus) => void }[] =
      [];
    let markStopped: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    subscriptions.add(
      handle.status$.subscribe({
        next: (status) => {
          statuses.push(status);
          packetsAt.push(received.get(`${handle.app}/${handle.name}`)?.kinds.length ?? 0);
          for (const listener of listeners.filter((l) => l.matches(status))) {
            listeners.splice(listeners.indexOf(listener), 1);
            listener.resolve(status);
          }
        },
        complete: () => markStopped(),
      }),
    );
    watched.push({
      handle,
      statuses,
      packetsAt,
      stopped,
      next: (matches) => {
        const current = statuses.at(-1);
        if (current !== undefined && matches(current)) return Promise.resolve(current);
        return new Promise((resolve) => listeners.push({ matches, resolve }));
      },
    });
    for (const check of [...watchedWaiters]) {
      if (check()) watchedWaiters.splice(watchedWaiters.indexOf(check), 1);
    }
  }

  /** Starts the Nest application on a free port (picked again if someone takes it first). */
  async function startApp(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      ingestPort = await freeLoopbackPort();
      const capture = `rtmp://127.0.0.1:${ingestPort}/${CAPTURE_APP}/{name}`;
      @Module({
        imports: [
          RtmpModule.forRoot({
            port: ingestPort,
            host: '127.0.0.1',
            logger: moduleLogger,
            verifier: AllowAllStreamKeyVerifier,
            relayBackoff: BACKOFF,
            relays: [
              { match: 'live/*', destinations: [nginx.url('{name}'), capture] },
              { match: 'restart/*', destinations: [restartable.url('{name}')] },
              {
                match: 'dual/*',
                destinations: [nginx.url('{name}'), `rtmp://127.0.0.1:${deadPort}/live/{name}`],
              },
              {
                match: 'moving/*',
                destinations: [nginx.url('{name}'), `rtmp://127.0.0.1:${moving.port}/live/{name}`],
              },
            ],
          }),
        ],
      })
      class RelayTestModule {}
      const context = await NestFactory.createApplicationContext(RelayTestModule, {
        logger: false,
      });
      const rtmp = context.get(RtmpServerService);
      relayService = context.get(RtmpRelayService);
      subscriptions.add(rtmp.streamStarted$.subscribe((stream) => onStreamStarted(rtmp, stream)));
      const seen = new Set<number>();
      subscriptions.add(
        relayService.relays$.subscribe((handles) => {
          for (const handle of handles) {
            if (seen.has(handle.id)) continue;
            seen.add(handle.id);
            watch(handle);
          }
        }),
      );
      try {
        await context.init();
        app = context;
        return;
      } catch (error) {
        await context.close().catch(() => undefined);
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!inUse || attempt >= 3) throw error;
      }
    }
  }

  beforeAll(async () => {
    await generateTestMedia(clipPath, CLIP);
    source = summarizeFlvFile(clipPath);
    sourceProbe = await probeMedia(clipPath);
    [nginx, restartable] = await Promise.all([NginxRtmp.start(), NginxRtmp.start()]);
    deadPort = await freeLoopbackPort();
    elsewhere = await ReconnectRequestingRtmpServer.start(undefined, '127.0.0.2');
    moving = await ReconnectRequestingRtmpServer.start(`rtmp://127.0.0.2:${elsewhere.port}/live`);
    await startApp();
  }, 30_000);

  afterAll(async () => {
    killAllProcesses();
    subscriptions.unsubscribe();
    await app?.close();
    await Promise.all([
      nginx?.dispose(),
      restartable?.dispose(),
      moving?.close(),
      elsewhere?.close(),
    ]);
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The ingest got the whole publish: FFmpeg exited 0 and every frame of the clip arrived. */
  async function publishIntact(
    appName: string,
    name: string,
    run: ReturnType<typeof publishWithFfmpeg>,
  ) {
    const result = await run;
    expect(
      result.stderr.split('\n').filter((l) => l !== '' && !/Failed to update header/.test(l)),
    ).toEqual([]);
    expect(result.code).toBe(0);
    const ingest = await receivedOn(`${appName}/${name}`);
    await ingest.ended;
    expect(ingest.summary.videoFrames).toBe(source.videoFrames);
    expect(ingest.summary.audioFrames).toBe(source.audioFrames);
    expect(ingest.summary.keyFrameIndexes).toEqual(source.keyFrameIndexes);
    return ingest;
  }

  /**
   * What the relay design guarantees at a destination that stayed up: the first frame it got
   * is where a decoder can start (a video keyframe, or the stream's very first frame when the
   * relay started during the first GOP, whose lead-in audio the cache keeps), and from there on
   * it got every frame the ingest got, in order, byte for byte, with the same relative
   * timestamps. Frames before (before the GOP that was cached when the relay went live) are not
   * relayed.
   */
  function expectEveryFrameFromAStart(ingest: Received, frames: MediaFrame[]): FrameAlignment {
    const alignment = alignFrames(ingest.frames, frames);
    expect(alignment).toMatchObject({ firstMismatch: undefined });
    expect(alignment.received).toBe(alignment.expected);
    expect(alignment.start === 0 || ingest.frames[alignment.start].keyFrame).toBe(true);
    return alignment;
  }

  /**
   * The relay's start rule, exactly: the first frame it sent on its `nth` connection is the
   * keyframe of the GOP the source had cached when that connection went live (the last keyframe
   * delivered before then; the stream's first frame for its first GOP), or, with none, the
   * first keyframe after.
   */
  function expectStartFromCachedGop(
    ingest: Received,
    relay: Watched,
    start: number,
    nth = 1,
  ): void {
    const live = relay.statuses.flatMap((s, i) => (s.state === 'live' ? [i] : []))[nth - 1];
    expect(live).toBeDefined();
    const liveAt = relay.packetsAt[live];
    const afterLive = ingest.frameKinds.findIndex((kind) => kind >= liveAt);
    const beforeLive = afterLive < 0 ? ingest.frames.length : afterLive;
    const cached = ingest.frames
      .slice(0, beforeLive)
      .map((f) => f.keyFrame)
      .lastIndexOf(true);
    const next = ingest.frames.findIndex((f, i) => i >= beforeLive && f.keyFrame);
    const first = ingest.frames.findIndex((f) => f.keyFrame);
    // Live before the stream's second keyframe, it starts with the stream's first frame: the
    // first GOP is cached with the stream's lead-in (the audio before its first keyframe).
    const inFirstGop = beforeLive <= first || cached === first;
    expect(start).toBe(inFirstGop ? 0 : cached >= 0 ? cached : next);
  }

  /**
   * For a relay that went live once: it counted as dropped exactly the audio and video frames
   * the source delivered after the relay was created and before the keyframe it started on (what
   * it missed while connecting from that keyframe on went out from the cache). Metadata and
   * sequence headers are never counted. Nothing after that keyframe was dropped.
   */
  function expectDroppedBeforeStart(ingest: Received, relay: Watched, start: number): void {
    expectStartFromCachedGop(ingest, relay, start);
    const createdAt = relay.packetsAt[0];
    const firstAfterCreation = ingest.frameKinds.findIndex((kind) => kind >= createdAt);
    expect(relay.handle.counters.droppedFrames).toBe(Math.max(0, start - firstAfterCreation));
  }

  /** nginx recorded what it got intact: h264 + aac, every frame decodes, nothing else. */
  async function expectCleanRecording(path: string, expected: MediaFrame[]): Promise<void> {
    expect(await decodeErrors(path)).toBe('');
    expect(await firstVideoPacketFlags(path)).toMatch(/^K/);
    const probe = await probeMedia(path);
    const counts = countFrames(expected);
    expect(probe.video).toMatchObject({ codec: 'h264', frames: counts.video, width: CLIP.width });
    expect(probe.audio).toMatchObject({ codec: 'aac', frames: counts.audio });
  }

  it('generated a clip with several keyframes', () => {
    expect(source.keyFrameIndexes.length).toBeGreaterThanOrEqual(CLIP.seconds * 2);
    expect(sourceProbe.video?.frames).toBe(source.videoFrames - 1); // FFmpeg's end of sequence
  });

  it('relays an FFmpeg publish to nginx: from its first relayed keyframe on, every frame', async () => {
    const name = 'chain';
    const run = publishWithFfmpeg(clipPath, ingestUrl('live', name), { realtime: true });
    const toNginx = await relayOf('live', name, nginx.port);
    const toCapture = await relayOf('live', name, ingestPort);
    const ingest = await publishIntact('live', name, run);
    await Promise.all([toNginx.stopped, toCapture.stopped]);

    // What the relay itself sent (our server records nothing on its own accord): configuration
    // first, then every frame from where a decoder can start (the stream's first frame, or a
    // keyframe: see expectEveryFrameFromAStart).
    const captured = await receivedOn(`${CAPTURE_APP}/${name}`);
    await captured.ended;
    const firstFrame = captured.kinds.findIndex(
      (k) => !['metadata', 'video-header', 'audio-header'].includes(k),
    );
    expect(captured.kinds.slice(0, firstFrame)).toEqual(
      expect.arrayContaining(['metadata', 'video-header', 'audio-header']),
    );
    const sent = expectEveryFrameFromAStart(ingest, captured.frames);

    // nginx recorded the same frames, and they decode.
    const recording = await nginx.recording(name);
    const recorded = expectEveryFrameFromAStart(ingest, flvFrames(recording));
    await expectCleanRecording(recording, ingest.frames.slice(recorded.start));

    // Only what came before that keyframe is missing: the relay connects while FFmpeg already
    // sends, and starts with the GOP the stream had cached by then.
    const starts: [Watched, number][] = [
      [toNginx, recorded.start],
      [toCapture, sent.start],
    ];
    for (const [relay, start] of starts) {
      expect(relay.statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);
      expect(relay.handle.counters.reconnects).toBe(0);
      expectDroppedBeforeStart(ingest, relay, start);
    }
  });

  it('a relay started mid-stream sends metadata and sequence headers first and starts on a keyframe', async () => {
    const name = 'late-start';
    const run = publishWithFfmpeg(clipPath, ingestUrl('mid', name), { realtime: true });
    const ingest = await receivedOn(`mid/${name}`);
    // A few seconds in: half of the clip.
    await ingest.keyFrameAt((CLIP.seconds * 1000) / 2);
    const toNginx = relayService.start('mid', name, nginx.url(name));
    const toCapture = relayService.start('mid', name, ingestUrl(CAPTURE_APP, name));
    await publishIntact('mid', name, run);
    const [nginxRelay, captureRelay] = await Promise.all([
      relayOf('mid', name, nginx.port),
      relayOf('mid', name, ingestPort),
    ]);
    await Promise.all([nginxRelay.stopped, captureRelay.stopped]);
    expect([nginxRelay.handle, captureRelay.handle]).toEqual([toNginx, toCapture]);

    // Exactly: onMetaData, the AVC and AAC sequence headers (cached), then a keyframe.
    const captured = await receivedOn(`${CAPTURE_APP}/${name}`);
    await captured.ended;
    expect(captured.kinds.slice(0, 4)).toEqual(['metadata', 'video-header', 'audio-header', 'key']);
    expect(captured.stream.metadata?.payload).toEqual(ingest.stream.metadata?.payload);
    expect(captured.stream.sequenceHeaders.video?.payload).toEqual(
      ingest.stream.sequenceHeaders.video?.payload,
    );
    expect(captured.stream.sequenceHeaders.audio?.payload).toEqual(
      ingest.stream.sequenceHeaders.audio?.payload,
    );
    const sent = expectEveryFrameFromAStart(ingest, captured.frames);
    expect(ingest.frames[sent.start].timestamp).toBeGreaterThanOrEqual((CLIP.seconds * 1000) / 2);
    expectDroppedBeforeStart(ingest, captureRelay, sent.start);

    const recording = await nginx.recording(name);
    const recorded = expectEveryFrameFromAStart(ingest, flvFrames(recording));
    await expectCleanRecording(recording, ingest.frames.slice(recorded.start));
    expectDroppedBeforeStart(ingest, nginxRelay, recorded.start);
    // The two cached sequence headers, then the frames.
    expect(toNginx.counters.frames).toBe(2 + recorded.received);
  });

  it('rides out nginx restarting: live → retrying → connecting → live, resumes at a keyframe', async () => {
    const name = 'survivor';
    const run = publishWithFfmpeg(clipPath, ingestUrl('restart', name), { realtime: true });
    const relay = await relayOf('restart', name, restartable.port);
    await relay.next((s) => s.state === 'live');
    const ingest = await receivedOn(`restart/${name}`);
    await ingest.keyFrameAt(1_000);

    await restartable.stop();
    const failure = await relay.next((s) => s.state === 'retrying');
    await restartable.restart();
    await relay.next((s) => s.state === 'live' && relay.statuses.includes(failure));

    // The ingest never noticed: FFmpeg finished cleanly and every frame arrived.
    await publishIntact('restart', name, run);
    await relay.stopped;

    const states = relay.statuses.map((s) => s.state).join(' ');
    // nginx may take longer to come back than the first retry: then the relay retries again.
    expect(states).toMatch(/^connecting live (retrying connecting )+live stopped$/);
    expect(failure.error).toBeInstanceOf(RtmpClientError);
    expect([RtmpErrorCode.ClientClosed, RtmpErrorCode.ClientConnectFailed]).toContain(
      (failure.error as RtmpClientError).code,
    );
    expect(failure.retryInMs).toBeGreaterThanOrEqual(BACKOFF.initialDelayMs * (1 - BACKOFF.jitter));
    expect(failure.retryInMs).toBeLessThanOrEqual(BACKOFF.initialDelayMs * (1 + BACKOFF.jitter));
    expect(relay.handle.counters.reconnects).toBe(1);

    // The first recording (cut when nginx stopped) starts with the stream (lead-in included);
    // the second on the keyframe of the GOP cached when the relay was back: it may repeat the
    // end of the first (a new publish to nginx, which records it as a new file).
    const [first] = restartable.recordedFiles(1);
    const before = alignFrames(ingest.frames, flvFrames(first));
    expect(before).toMatchObject({ start: 0, firstMismatch: undefined });
    const recording = await restartable.recording(name, { run: 2 });
    const after = expectEveryFrameFromAStart(ingest, flvFrames(recording));
    expectStartFromCachedGop(ingest, relay, before.start, 1);
    expectStartFromCachedGop(ingest, relay, after.start, 2);
    await expectCleanRecording(recording, ingest.frames.slice(after.start));
  });

  it('two destinations, one dead: the live one gets every frame, the dead one retries, the ingest is unaffected', async () => {
    const name = 'fan-out-secret-key';
    const run = publishWithFfmpeg(clipPath, ingestUrl('dual', name), { realtime: true });
    const [live, dead] = await Promise.all([
      relayOf('dual', name, nginx.port),
      relayOf('dual', name, deadPort),
    ]);
    const ingest = await publishIntact('dual', name, run);
    await Promise.all([live.stopped, dead.stopped]);

    const recording = await nginx.recording(name);
    const recorded = expectEveryFrameFromAStart(ingest, flvFrames(recording));
    await expectCleanRecording(recording, ingest.frames.slice(recorded.start));
    expect(live.statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);
    expectDroppedBeforeStart(ingest, live, recorded.start);

    // The dead one retried all along with a growing delay, and never went live.
    const retries = dead.statuses.filter((s) => s.state === 'retrying');
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(dead.statuses.some((s) => s.state === 'live')).toBe(false);
    retries.forEach((retry, attempt) => {
      expect(retry.error).toBeInstanceOf(RtmpClientError);
      expect((retry.error as RtmpClientError).code).toBe(RtmpErrorCode.ClientConnectFailed);
      const base = Math.min(
        BACKOFF.maxDelayMs,
        BACKOFF.initialDelayMs * BACKOFF.multiplier ** attempt,
      );
      expect(retry.retryInMs).toBeGreaterThanOrEqual(Math.floor(base * (1 - BACKOFF.jitter)));
      expect(retry.retryInMs).toBeLessThanOrEqual(Math.ceil(base * (1 + BACKOFF.jitter)));
    });
    expect(dead.statuses.at(-1)?.state).toBe('stopped');
    // Each retry was logged through the module's logger, with the key masked.
    const warnings = logged.filter(
      (line) => line.level === 'warn' && line.message.includes(`127.0.0.1:${deadPort}/live/`),
    );
    expect(warnings.map((line) => line.message)).toEqual(
      retries.map((retry) => expect.stringContaining(`retrying in ${retry.retryInMs} ms`)),
    );
    expect(logged.filter((line) => line.message.includes(name))).toEqual([]);
    expect(dead.handle.counters.frames).toBe(0);
    expect(relayService.list()).toEqual([]);
  });

  it('a destination that asks to move to another host (issue 18): refused, the key never goes there; the other destination and the ingest are unaffected', async () => {
    const name = 'moving-secret-key-1234';
    const run = publishWithFfmpeg(clipPath, ingestUrl('moving', name), { realtime: true });
    const [live, asked] = await Promise.all([
      relayOf('moving', name, nginx.port),
      relayOf('moving', name, moving.port),
    ]);
    const ingest = await publishIntact('moving', name, run);
    await Promise.all([live.stopped, asked.stopped]);

    const recording = await nginx.recording(name);
    const recorded = expectEveryFrameFromAStart(ingest, flvFrames(recording));
    await expectCleanRecording(recording, ingest.frames.slice(recorded.start));
    // Asked on every publish, refused every time: it reconnected where it was, at keyframes.
    expect(moving.publishes).toBeGreaterThanOrEqual(2);
    expect(elsewhere.connections).toBe(0);
    expect(asked.handle.destination).toContain(`127.0.0.1:${moving.port}/`);
    const refusals = logged.filter((line) => line.message.includes('refused a ReconnectRequest'));
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.every((line) => line.level === 'warn')).toBe(true);
    expect(logged.filter((line) => line.message.includes(name))).toEqual([]);
  });
});

describe('relay: destinations that misbehave (issue 18)', () => {
  /** Long enough that the masked forms ("mis***(27)") give nothing away. */
  const KEY = 'misbehaving-secret-key-1234';
  const STALL_TIMEOUT_MS = 500;
  /** Undone after each test, last first. */
  const cleanups: (() => Promise<unknown> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** `promise`, or a rejection naming `what` if it takes longer than `ms`: fail fast, not at the test timeout. */
  function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /** Resolves with the relay's first status from now on (or its current one) that `matches`. */
  function statusOf(
    relay: StreamRelay,
    matches: (s: RelayStatus) => boolean,
  ): Promise<RelayStatus> {
    return new Promise((resolve) => {
      const stop = relay.onStatus((status) => {
        if (!matches(status)) return;
        resolve(status);
        queueMicrotask(() => stop());
      });
    });
  }

  it('an rtmps destination asking to move to plain rtmp on another host: refused, nothing reaches that host, no key in what is reported', async () => {
    // Where the request points: an RTMP server that would take the publish, key and all.
    const elsewhere = await ReconnectRequestingRtmpServer.start(undefined, '127.0.0.2');
    cleanups.push(() => elsewhere.close());
    const destination = await ReconnectRequestingRtmpServer.start(
      `rtmp://127.0.0.2:${elsewhere.port}/live`,
    );
    cleanups.push(() => destination.close());
    const certificate = await createSelfSignedCertificate();
    const tls = await TlsTerminator.start(destination.port, certificate);
    cleanups.push(() => tls.close());

    const source = new FedRelaySource();
    const refused: StreamRelayError[] = [];
    const relay = new StreamRelay(source, `rtmps://127.0.0.1:${tls.port}/live/${KEY}`, {
      tls: { ca: certificate.cert },
      backoff: { initialDelayMs: 50, maxDelayMs: 200 },
      onReconnectRefused: (error) => refused.push(error),
    });
    const statuses: RelayStatus[] = [];
    relay.onStatus((status) => statuses.push(status));
    cleanups.push(() => relay.stop());
    await statusOf(relay, (s) => s.state === 'live');
    // Keyframes: the relay acts on the request at the next one.
    cleanups.push(source.feed(64, 20));
    await Promise.race([destination.publishedTimes(2), elsewhere.connected()]);

    expect(elsewhere.connections).toBe(0);
    expect(elsewhere.streamNames).toEqual([]);
    // It reconnected where it was, over TLS: the terminator saw both connections.
    expect(destination.streamNames.slice(0, 2)).toEqual([KEY, KEY]);
    expect(tls.connections).toBeGreaterThanOrEqual(2);
    expect(relay.destination).toBe(`rtmps://127.0.0.1:${tls.port}/live/mis***(27)`);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const error of refused) {
      expect(error.code).toBe(RtmpErrorCode.RelayReconnectRefused);
      expect(error.message).toContain(`rtmp://127.0.0.2:${elsewhere.port}/live/mis***(27)`);
      expect(error.message).not.toContain(KEY);
    }
    const reported = statuses.map((status) => status.error?.message ?? '');
    expect(reported.filter((message) => message.includes(KEY))).toEqual([]);
  });

  it('a destination that stops reading: retrying with RTMP_ERR_RELAY_STALLED after stallTimeoutMs, then it reconnects', async () => {
    const destination = await StallingRtmpServer.start();
    const source = new FedRelaySource();
    const relay = new StreamRelay(source, `rtmp://127.0.0.1:${destination.port}/live/${KEY}`, {
      stallTimeoutMs: STALL_TIMEOUT_MS,
      maxQueuedBytes: 64 * 1024,
      backoff: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
    });
    // The server first: a relay stopping in front of a stalled socket waits out its close grace.
    cleanups.push(() => relay.stop());
    cleanups.push(() => destination.close());
    await statusOf(relay, (s) => s.state === 'live');
    await destination.stalled;

    // Large keyframes, fast: the kernel's buffers fill, then the client's queue. Every drop
    // from now on is a refused send (a keyframe is never held back waiting for a keyframe).
    const dropsBefore = relay.counters.droppedFrames;
    let firstRefusal: number | undefined;
    const feeding = setInterval(() => {
      for (let i = 0; i < 4; i += 1) source.keyFrame(64 * 1024);
      if (firstRefusal === undefined && relay.counters.droppedFrames > dropsBefore) {
        firstRefusal = performance.now();
      }
    }, 2);
    cleanups.push(() => clearInterval(feeding));

    const stalled = await within(
      STALL_TIMEOUT_MS + 3_000,
      'retrying status',
      statusOf(relay, (s) => s.state === 'retrying'),
    );
    const stalledAfter = performance.now() - (firstRefusal as number);
    expect(firstRefusal).toBeDefined();
    expect(stalled.error).toBeInstanceOf(StreamRelayError);
    expect((stalled.error as StreamRelayError).code).toBe(RtmpErrorCode.RelayStalled);
    expect(stalled.error?.message).not.toContain(KEY);
    expect(stalled.retryInMs).toBe(50);
    // The clock starts at the first refused frame, within a feeding tick of it.
    expect(stalledAfter).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS - 10);
    expect(stalledAfter).toBeLessThan(STALL_TIMEOUT_MS + 1_000);

    await statusOf(relay, (s) => s.state === 'live');
    expect(relay.counters.reconnects).toBe(1);
  });

  describe('through RtmpModule (the logs)', () => {
    let app: INestApplicationContext;
    let relayService: RtmpRelayService;
    let ingestPort: number;
    const logger = new CaptureLogger();

    beforeAll(async () => {
      @Module({
        imports: [
          RtmpModule.forRoot({
            port: 0,
            host: '127.0.0.1',
            logger,
            verifier: AllowAllStreamKeyVerifier,
            relayBackoff: { initialDelayMs: 50, maxDelayMs: 200 },
            relayReconnectRequestHosts: ['127.0.0.3'],
          }),
        ],
      })
      class MisbehavingDestinationsModule {}
      app = await NestFactory.createApplicationContext(MisbehavingDestinationsModule, {
        logger: false,
      });
      await app.init();
      relayService = app.get(RtmpRelayService);
      ingestPort = (app.get(RtmpServerService).address() as { port: number }).port;
    });

    afterAll(async () => {
      await app?.close();
    });

    /** Publishes `live/<name>` to the ingest and sends a keyframe every 20 ms until cleanup. */
    async function publishIngest(name: string): Promise<void> {
      const publisher = await ScriptedRtmpClient.connect(ingestPort);
      cleanups.push(() => publisher.close());
      const { streamId } = await publisher.publish('live', name);
      const header = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xc0, 0x1e, 0xff]);
      publisher.sendMedia(streamId, 9, 0, header);
      let timestamp = 0;
      const timer = setInterval(() => {
        timestamp += 40;
        publisher.sendMedia(streamId, 9, timestamp, Buffer.from([0x17, 0x01, 0, 0, 0, 0xaa]));
      }, 20);
      cleanups.push(() => clearInterval(timer));
    }

    /** Resolves with the relay's first status (from now on, or its current one) that `matches`. */
    function handleStatus(
      handle: RelayHandle,
      matches: (s: RelayStatus) => boolean,
    ): Promise<RelayStatus> {
      return new Promise((resolve) => {
        const subscription = handle.status$.subscribe((status) => {
          if (!matches(status)) return;
          resolve(status);
          queueMicrotask(() => subscription.unsubscribe());
        });
      });
    }

    it('a refused ReconnectRequest is logged with the key masked, and nothing connects to the other host', async () => {
      const elsewhere = await ReconnectRequestingRtmpServer.start(undefined, '127.0.0.2');
      cleanups.push(() => elsewhere.close());
      const destination = await ReconnectRequestingRtmpServer.start(
        `rtmp://127.0.0.2:${elsewhere.port}/live`,
      );
      cleanups.push(() => destination.close());
      const name = `${KEY}-refused`;
      await publishIngest(name);
      const handle = relayService.start(
        'live',
        name,
        `rtmp://127.0.0.1:${destination.port}/live/${name}`,
      );
      cleanups.push(() => handle.stop());

      // Reconnected here (the second publish), or gone there.
      await Promise.race([destination.publishedTimes(2), elsewhere.connected()]);
      expect(elsewhere.connections).toBe(0);
      const [warning] = logger.matching(/refused a ReconnectRequest/);
      expect(warning?.level).toBe('warn');
      expect(warning.message).toContain(
        `rtmp://127.0.0.1:${destination.port}/live/${maskStreamKey(name)}`,
      );
      expect(warning.message).toContain(
        `rtmp://127.0.0.2:${elsewhere.port}/live/${maskStreamKey(name)}`,
      );
      expect(handle.destination).toBe(
        `rtmp://127.0.0.1:${destination.port}/live/${maskStreamKey(name)}`,
      );
      expect(logger.texts().filter((text) => text.includes(KEY))).toEqual([]);
    });

    it('a followed ReconnectRequest (an allowed host): logs and the handle show where the relay now is', async () => {
      const next = await ReconnectRequestingRtmpServer.start(undefined, '127.0.0.3');
      cleanups.push(() => next.close());
      const destination = await ReconnectRequestingRtmpServer.start(
        `rtmp://127.0.0.3:${next.port}/live`,
      );
      cleanups.push(() => destination.close());
      const name = `${KEY}-followed`;
      const linesBefore = logger.lines.length;
      await publishIngest(name);
      const handle = relayService.start(
        'live',
        name,
        `rtmp://127.0.0.1:${destination.port}/live/${name}`,
      );
      cleanups.push(() => handle.stop());
      await handleStatus(handle, (s) => s.state === 'live');
      await next.publishedTimes(1);
      await handleStatus(handle, (s) => s.state === 'live');

      const moved = `rtmp://127.0.0.3:${next.port}/live/${maskStreamKey(name)}`;
      expect(next.streamNames).toEqual([name]);
      expect(handle.destination).toBe(moved);
      const lines = logger.lines.slice(linesBefore).map((line) => line.message);
      expect(lines.filter((line) => line.includes('following its ReconnectRequest'))).toEqual([
        expect.stringContaining(`to ${moved}`),
      ]);
      const live = lines.filter((line) => line.endsWith(': live'));
      expect(live.map((line) => line.split(' → ')[1])).toEqual([
        `rtmp://127.0.0.1:${destination.port}/live/${maskStreamKey(name)}: live`,
        `${moved}: live`,
      ]);
      expect(logger.texts().filter((text) => text.includes(KEY))).toEqual([]);
    });
  });
});

describe('relay: a clean publish reaches nginx whole, the first GOP included (issue 19, item 2)', () => {
  /**
   * 5 s at 30 fps with a keyframe every 2 s (60 frames), + AAC. A relay that waited for the
   * next keyframe after connecting would lose the first 2 s of it.
   */
  const CLEAN = {
    width: 320,
    height: 240,
    frameRate: 30,
    seconds: 5,
    gop: 60,
    videoBitrate: '300k',
  };
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-relay-gop-'));
  const clipPath = join(workDir, 'clean.flv');
  /** What ffprobe decodes in the published file: what a recording must hold. */
  let clipProbe: ProbeResult;
  /** Destination of whole/*. */
  let nginx: NginxRtmp;
  /** Destination of again/*: stopped and started again mid-stream. */
  let restartable: NginxRtmp;
  let app: INestApplicationContext | undefined;
  let rtmp: RtmpServerService;
  let relayService: RtmpRelayService;
  let ingestPort: number;
  const subscriptions = new Subscription();

  /** The frames the ingest got on one stream, as its relays see them (LiveStream listeners). */
  interface Ingest {
    readonly frames: MediaFrame[];
    readonly ended: Promise<void>;
    /** Resolves once a frame with a timestamp of at least `ms` has arrived. */
    frameAt(ms: number): Promise<void>;
  }

  /** Starts following `app/name` (call before publishing): every frame, in arrival order. */
  function followIngest(appName: string, name: string): Promise<Ingest> {
    return new Promise((resolve) => {
      const subscription = rtmp.streamStarted$.subscribe((started) => {
        if (started.app !== appName || started.name !== name) return;
        queueMicrotask(() => subscription.unsubscribe());
        const stream = liveStreamOf(rtmp, appName, name);
        if (stream === undefined) throw new Error(`${started.key} started but is not live`);
        const frames: MediaFrame[] = [];
        const waiters: { ms: number; resolve: () => void }[] = [];
        stream.onPacket((packet) => {
          const frame = packetFrame(packet);
          if (frame === undefined) return;
          frames.push(frame);
          for (const waiter of waiters.filter((w) => frame.timestamp >= w.ms)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        });
        resolve({
          frames,
          ended: new Promise((done) => stream.onEnd(() => done())),
          frameAt: (ms) =>
            frames.some((f) => f.timestamp >= ms)
              ? Promise.resolve()
              : new Promise((done) => waiters.push({ ms, resolve: done })),
        });
      });
      subscriptions.add(subscription);
    });
  }

  /** A rule's relay of `app/name`: its statuses, and how many frames the ingest had at each. */
  interface FollowedRelay {
    readonly handle: RelayHandle;
    readonly statuses: RelayStatus[];
    readonly framesAt: number[];
    readonly stopped: Promise<void>;
    next(matches: (status: RelayStatus) => boolean): Promise<void>;
  }

  function followRelay(
    appName: string,
    name: string,
    ingest: Promise<Ingest>,
  ): Promise<FollowedRelay> {
    return new Promise((resolve) => {
      const subscription = relayService.relays$.subscribe((handles) => {
        const handle = handles.find((h) => h.app === appName && h.name === name);
        if (handle === undefined) return;
        queueMicrotask(() => subscription.unsubscribe());
        const statuses: RelayStatus[] = [];
        const framesAt: number[] = [];
        const listeners: { matches: (s: RelayStatus) => boolean; resolve: () => void }[] = [];
        let frames: MediaFrame[] = [];
        void ingest.then((followed) => (frames = followed.frames));
        const stopped = new Promise<void>((done) => {
          subscriptions.add(
            handle.status$.subscribe({
              next: (status) => {
                statuses.push(status);
                framesAt.push(frames.length);
                for (const listener of listeners.filter((l) => l.matches(status))) {
                  listeners.splice(listeners.indexOf(listener), 1);
                  listener.resolve();
                }
              },
              complete: () => done(),
            }),
          );
        });
        resolve({
          handle,
          statuses,
          framesAt,
          stopped,
          next: (matches) => {
            const current = statuses.at(-1);
            if (current !== undefined && matches(current)) return Promise.resolve();
            return new Promise((done) => listeners.push({ matches, resolve: done }));
          },
        });
      });
      subscriptions.add(subscription);
    });
  }

  /**
   * Audio frames FFmpeg sends before the first video keyframe. FFmpeg's AAC encoder starts 1024
   * samples early (its priming: the first packet is stamped -1024) and the FLV muxer shifts
   * every timestamp so that none is negative: audio starts at 0 and the first video frame at
   * 23 ms, behind exactly one audio frame. The stream's first GOP keeps that lead-in (see
   * GopCache.appendLeadIn), so the relay sends it too.
   */
  function leadingAudio(frames: readonly MediaFrame[]): number {
    const first = frames.findIndex((frame) => frame.keyFrame);
    expect(frames.slice(0, first).every((frame) => frame.type === 'audio')).toBe(true);
    return first;
  }

  beforeAll(async () => {
    await generateTestMedia(clipPath, CLEAN);
    clipProbe = await probeMedia(clipPath);
    [nginx, restartable] = await Promise.all([NginxRtmp.start(), NginxRtmp.start()]);
    @Module({
      imports: [
        RtmpModule.forRoot({
          port: 0,
          host: '127.0.0.1',
          verifier: AllowAllStreamKeyVerifier,
          relayBackoff: BACKOFF,
          relays: [
            { match: 'whole/*', destinations: [nginx.url('{name}')] },
            { match: 'again/*', destinations: [restartable.url('{name}')] },
          ],
        }),
      ],
    })
    class WholeRelayModule {}
    app = await NestFactory.createApplicationContext(WholeRelayModule, { logger: false });
    await app.init();
    rtmp = app.get(RtmpServerService);
    relayService = app.get(RtmpRelayService);
    ingestPort = (rtmp.address() as { port: number }).port;
  }, 30_000);

  afterAll(async () => {
    killAllProcesses();
    subscriptions.unsubscribe();
    await app?.close();
    await Promise.all([nginx?.dispose(), restartable?.dispose()]);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('records every frame of the publish: the relay starts with the cached GOP', async () => {
    const name = 'clean';
    const ingest = followIngest('whole', name);
    const relay = followRelay('whole', name, ingest);
    const run = publishWithFfmpeg(clipPath, `rtmp://127.0.0.1:${ingestPort}/whole/${name}`, {
      realtime: true,
    });
    expect((await run).code).toBe(0);
    const { frames, ended } = await ingest;
    await ended;
    const { handle, statuses, stopped } = await relay;
    await stopped;
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);

    const recording = await nginx.recording(name);
    expect(await decodeErrors(recording)).toBe('');
    expect(await firstVideoPacketFlags(recording)).toMatch(/^K/);
    // The lead-in audio before the first keyframe is there as well (see leadingAudio).
    expect(leadingAudio(frames)).toBe(1);
    // Exact counts: every video and audio frame FFmpeg decodes in the published file.
    const probe = await probeMedia(recording);
    expect({ video: probe.video?.frames, audio: probe.audio?.frames }).toEqual({
      video: clipProbe.video?.frames,
      audio: clipProbe.audio?.frames,
    });
    // And byte for byte, in order, from the very first frame to the end.
    const recorded = alignFrames(frames, flvFrames(recording));
    expect(recorded).toMatchObject({ start: 0, firstMismatch: undefined });
    expect(recorded.received).toBe(recorded.expected);
    // Nothing dropped: the relay was created with the stream.
    expect(handle.counters.droppedFrames).toBe(0);
  });

  it('after nginx restarts, the second recording starts with the cached GOP: its keyframe and every frame since', async () => {
    const name = 'restarted';
    const ingest = followIngest('again', name);
    const relay = followRelay('again', name, ingest);
    const run = publishWithFfmpeg(clipPath, `rtmp://127.0.0.1:${ingestPort}/again/${name}`, {
      realtime: true,
    });
    const { frames, ended, frameAt } = await ingest;
    const { statuses, framesAt, stopped, next } = await relay;
    await next((s) => s.state === 'live');
    // Half a second into the second GOP: the relay comes back within it.
    await frameAt(2_500);
    await restartable.stop();
    await next((s) => s.state === 'retrying');
    await restartable.restart();
    expect((await run).code).toBe(0);
    await ended;
    await stopped;
    expect(statuses.map((s) => s.state).join(' ')).toMatch(
      /^connecting live (retrying connecting )+live stopped$/,
    );

    // The first recording, cut when nginx stopped: every frame from the first keyframe on.
    const [first] = restartable.recordedFiles(1);
    const before = alignFrames(frames, flvFrames(first));
    expect(before).toMatchObject({ start: 0, firstMismatch: undefined });

    // The second: from the keyframe of the GOP that was current when the relay was live again,
    // to the end. The frames from that keyframe to then came out of the cache.
    const framesAtLive = framesAt[statuses.map((s) => s.state).lastIndexOf('live')];
    const gopStart = frames
      .slice(0, framesAtLive)
      .map((f) => f.keyFrame)
      .lastIndexOf(true);
    expect(framesAtLive - gopStart).toBeGreaterThan(1);
    const recording = await restartable.recording(name, { run: 2 });
    expect(await decodeErrors(recording)).toBe('');
    expect(await firstVideoPacketFlags(recording)).toMatch(/^K/);
    const after = alignFrames(frames, flvFrames(recording));
    expect(after).toMatchObject({
      start: gopStart,
      startsOnKeyFrame: true,
      firstMismatch: undefined,
    });
    expect(after.received).toBe(after.expected);
  });
});
