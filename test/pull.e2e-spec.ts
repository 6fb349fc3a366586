import { INestApplicationContext, Module } from '@nestjs/common';
import { liveStreamOf } from '../libs/rtmp/src/nest/rtmp-server.service';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { filter, firstValueFrom, Subscription, toArray } from 'rxjs';
import {
  AllowAllStreamKeyVerifier,
  LiveStream,
  MediaPacket,
  PullHandle,
  RelayStatus,
  StreamVerdicts,
  RtmpModule,
  RtmpRelayService,
  RtmpServer,
  RtmpServerService,
  StreamEnd,
  StreamPull,
} from '../libs/rtmp/src';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg, probePackets } from './support/ffmpeg-play';
import { addPacket, emptySummary, MediaSummary, summarizeFlvFile } from './support/media-summary';
import { NginxRtmp } from './support/nginx-rtmp';
import { freeLoopbackPort } from './support/ports';
import { generateTestMedia, TestMediaSpec } from './support/test-media';

/** 4 s at 25 fps with a keyframe every second, + AAC. */
const CLIP: TestMediaSpec = {
  width: 320,
  height: 240,
  frameRate: 25,
  seconds: 4,
  gop: 25,
  videoBitrate: '300k',
};
const BACKOFF = { initialDelayMs: 100, maxDelayMs: 400, multiplier: 2, jitter: 0.2 };
/** The local stream the static pull publishes. */
const EDGE_APP = 'edge';
const EDGE_NAME = 'camera-pulled-from-origin';
/** The stream at the origin (nginx-rtmp). */
const ORIGIN_NAME = 'camera-at-origin';

/** What a local stream delivered, and how it ended. */
interface LocalStream {
  readonly stream: LiveStream;
  readonly summary: MediaSummary;
  readonly firstFrames: string[];
  readonly ended: Promise<StreamEnd>;
}

function kindOf(packet: MediaPacket): string {
  if (packet.type === 'metadata') return 'metadata';
  if (packet.tag.isSequenceHeader) return `${packet.type}-header`;
  return packet.type === 'video' && packet.tag.isKeyFrame ? 'key' : packet.type;
}

/** Resolves with the first status of `handle` from now on (or the current one) that matches. */
function statusOf(handle: PullHandle, matches: (s: RelayStatus) => boolean): Promise<RelayStatus> {
  return firstValueFrom(handle.status$.pipe(filter(matches)));
}

describe('pull: FFmpeg → nginx-rtmp (origin) → StreamPull → RtmpModule → FFmpeg player', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-pull-'));
  const clipPath = join(workDir, 'clip.flv');
  let source: MediaSummary;
  let sourceProbe: ProbeResult;
  let origin: NginxRtmp;
  let app: INestApplicationContext;
  let rtmp: RtmpServerService;
  let relays: RtmpRelayService;
  let edgePort: number;
  const subscriptions = new Subscription();
  const localStreams: LocalStream[] = [];
  const localWaiters: ((local: LocalStream) => void)[] = [];

  /** Resolves with the next local stream of the edge key to start. */
  function nextLocalStream(): Promise<LocalStream> {
    return new Promise((resolve) => localWaiters.push(resolve));
  }

  beforeAll(async () => {
    await generateTestMedia(clipPath, CLIP);
    source = summarizeFlvFile(clipPath);
    sourceProbe = await probeMedia(clipPath);
    origin = await NginxRtmp.start();
    edgePort = await freeLoopbackPort();
    @Module({
      imports: [
        RtmpModule.forRoot({
          port: edgePort,
          host: '127.0.0.1',
          logger: false,
          verifier: AllowAllStreamKeyVerifier,
          relayBackoff: BACKOFF,
          pulls: [{ from: origin.url(ORIGIN_NAME), app: EDGE_APP, name: EDGE_NAME }],
        }),
      ],
    })
    class PullTestModule {}
    app = await NestFactory.createApplicationContext(PullTestModule, { logger: false });
    rtmp = app.get(RtmpServerService);
    relays = app.get(RtmpRelayService);
    subscriptions.add(
      rtmp.streamStarted$.subscribe((started) => {
        const stream = liveStreamOf(rtmp, started.app, started.name);
        if (stream === undefined || started.app !== EDGE_APP) return;
        const summary = emptySummary();
        const firstFrames: string[] = [];
        stream.onPacket((packet) => {
          addPacket(summary, packet);
          if (firstFrames.length < 12) firstFrames.push(kindOf(packet));
        });
        const local = {
          stream,
          summary,
          firstFrames,
          ended: new Promise<StreamEnd>((resolve) => stream.onEnd(resolve)),
        };
        localStreams.push(local);
        localWaiters.shift()?.(local);
      }),
    );
  }, 60_000);

  afterAll(async () => {
    subscriptions.unsubscribe();
    killAllProcesses();
    await app?.close();
    await origin?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('the pulls option starts a pull once the server listens; it plays from the origin and waits for a publisher', async () => {
    const [handle] = relays.listPulls();
    expect(handle).toMatchObject({ app: EDGE_APP, name: EDGE_NAME });
    // The source is shown with its key masked.
    expect(handle.source).not.toContain(ORIGIN_NAME);
    await statusOf(handle, (s) => s.state === 'live');
    expect(liveStreamOf(rtmp, EDGE_APP, EDGE_NAME)).toBeUndefined();
  }, 30_000);

  it('each publish at the origin becomes one local stream that local players and subscribers get whole, from its first keyframe', async () => {
    const [handle] = relays.listPulls();
    const out = join(workDir, 'played-at-edge.flv');
    // A viewer of the edge waits for the pulled stream, as viewers of an edge do.
    const player = playWithFfmpeg(`rtmp://127.0.0.1:${edgePort}/${EDGE_APP}/${EDGE_NAME}`, out);
    const subscriber = firstValueFrom(rtmp.packets(EDGE_APP, EDGE_NAME).pipe(toArray()));
    const firstLocal = nextLocalStream();
    const published = await publishWithFfmpeg(clipPath, origin.url(ORIGIN_NAME), {
      realtime: true,
    });
    expect(published.code).toBe(0);
    const local = await firstLocal;
    expect(await local.ended).toEqual({ reason: 'unpublished' });
    expect(local.stream.request).toMatchObject({ action: 'publish', app: EDGE_APP });

    // Metadata first, headers before the media they describe (nginx-rtmp forwards the audio
    // header and first audio frame before the video header), video from a keyframe; every
    // frame of the source.
    expect(local.firstFrames[0]).toBe('metadata');
    expect(local.firstFrames.indexOf('video-header')).toBeLessThan(
      local.firstFrames.indexOf('key'),
    );
    expect(local.firstFrames.indexOf('audio-header')).toBeLessThan(
      local.firstFrames.indexOf('audio'),
    );
    expect(local.summary.keyFrameIndexes[0]).toBe(0);
    expect(local.summary.videoFrames).toBe(source.videoFrames);
    expect(local.summary.audioFrames).toBe(source.audioFrames);
    expect(local.summary.videoTimestamps).toEqual(source.videoTimestamps);

    // The local FFmpeg player heard Play.UnpublishNotify and exited 0 with the whole clip.
    const played = await player;
    expect(played.code).toBe(0);
    const probe = await probeMedia(out);
    expect(probe.video?.codec).toBe(sourceProbe.video?.codec);
    expect(probe.audio?.codec).toBe(sourceProbe.audio?.codec);
    expect(probe.video?.frames).toBe(sourceProbe.video?.frames);
    expect((await probePackets(out, 'v'))[0].keyFrame).toBe(true);
    // packets() completed with the stream and carried every frame.
    const packets = await subscriber;
    expect(packets.filter((p) => p.type === 'video' && !p.tag.isSequenceHeader)).toHaveLength(
      source.videoFrames,
    );

    // The origin's publisher comes back: a new local stream, with its own configuration.
    const secondLocal = nextLocalStream();
    const again = await publishWithFfmpeg(clipPath, origin.url(ORIGIN_NAME));
    expect(again.code).toBe(0);
    const second = await secondLocal;
    expect(await second.ended).toEqual({ reason: 'unpublished' });
    expect(second.summary.videoFrames).toBe(source.videoFrames);
    expect(second.summary.videoSequenceHeaders).toBe(1);
    expect(handle.counters.publishes).toBe(2);
    expect(handle.counters.frames).toBe(2 * (source.videoFrames + source.audioFrames) + 4);
    expect(handle.counters.droppedFrames).toBe(0);
  }, 60_000);

  it('never takes a key an encoder is publishing: the pull drops its media and the encoder is unaffected', async () => {
    const name = 'held-by-an-encoder';
    const handle = relays.pull(origin.url('busy-at-origin'), EDGE_APP, name);
    await statusOf(handle, (s) => s.state === 'live');
    const encoderLocal = nextLocalStream();
    const encoder = publishWithFfmpeg(
      clipPath,
      `rtmp://127.0.0.1:${edgePort}/${EDGE_APP}/${name}`,
      {
        realtime: true,
      },
    );
    const held = await encoderLocal;
    expect(held.stream.request.remoteAddress).toBe('127.0.0.1');
    expect((await publishWithFfmpeg(clipPath, origin.url('busy-at-origin'))).code).toBe(0);
    expect((await encoder).code).toBe(0);
    expect(await held.ended).toEqual({ reason: 'unpublished' });
    expect(held.summary.videoTimestamps).toEqual(source.videoTimestamps);
    expect(handle.counters.publishes).toBe(0);
    expect(handle.counters.droppedFrames).toBeGreaterThan(0);
    await handle.stop();
  }, 30_000);

  it('a StreamPull of a plain RtmpServer stops by itself when that server closes, even with no media flowing', async () => {
    const edge = new RtmpServer(
      { port: 0, host: '127.0.0.1' },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      },
    );
    await edge.listen();
    const pull = new StreamPull(edge, origin.url('nobody-publishes-here'), 'edge', 'idle', {
      backoff: BACKOFF,
    });
    const states: string[] = [];
    pull.onStatus((status) => states.push(status.state));
    await new Promise<void>((resolve) => {
      const stop = pull.onStatus((status) => {
        if (status.state !== 'live') return;
        queueMicrotask(() => stop());
        resolve();
      });
    });
    await edge.close();
    await pull.stop(); // resolves at once: it already stopped
    expect(states.at(-1)).toBe('stopped');
  }, 30_000);

  it('reconnects with backoff when the origin goes away and comes back; stop() ends it for good', async () => {
    const handle = relays.listPulls().find((pull) => pull.name === EDGE_NAME) as PullHandle;
    const retrying = statusOf(handle, (s) => s.state === 'retrying');
    await origin.stop();
    const status = await retrying;
    expect(status.retryInMs).toBeGreaterThanOrEqual(0);
    expect(status.retryInMs).toBeLessThanOrEqual(BACKOFF.maxDelayMs * (1 + BACKOFF.jitter));
    const reconnects = handle.counters.reconnects;
    await origin.restart();
    await statusOf(handle, (s) => s.state === 'live');
    expect(handle.counters.reconnects).toBe(reconnects + 1);

    // Still serving after the outage: a publish at the origin arrives here again.
    const nextLocal = nextLocalStream();
    expect((await publishWithFfmpeg(clipPath, origin.url(ORIGIN_NAME))).code).toBe(0);
    const local = await nextLocal;
    await local.ended;
    expect(local.summary.videoFrames).toBe(source.videoFrames);

    const stopped = firstValueFrom(handle.status$.pipe(toArray()));
    await handle.stop();
    expect((await stopped).at(-1)).toMatchObject({ state: 'stopped' });
    expect(relays.listPulls()).toEqual([]);
  }, 60_000);
});
