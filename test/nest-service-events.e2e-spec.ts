import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { filter, firstValueFrom, ReplaySubject, Subscription } from 'rxjs';
import {
  AllowAllStreamKeyVerifier,
  RtmpModule,
  RtmpPlayEnded,
  RtmpPlayer,
  RtmpServerService,
  RtmpStream,
  RtmpStreamEnded,
} from '../src';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg } from './support/ffmpeg-play';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/*
 * What RtmpServerService tells an application about streams and players besides media: when a
 * stream ends and why, who plays what, and how to take a stream down. Real FFmpeg publishers
 * and players, the service as an application injects it.
 */

@Module({
  imports: [
    RtmpModule.forRoot({
      port: 0,
      host: '127.0.0.1',
      apps: ['live'],
      logger: false,
      verifier: AllowAllStreamKeyVerifier,
    }),
  ],
})
class EventsAppModule {}

/** Everything the service emitted since the application started (hot observables replayed). */
class Recorded {
  readonly ended = new ReplaySubject<RtmpStreamEnded>();
  readonly playStarted = new ReplaySubject<RtmpPlayer>();
  readonly playEnded = new ReplaySubject<RtmpPlayEnded>();
  /** Every value of liveStreams$: key and player count of each stream. */
  readonly liveCounts: { key: string; players: number }[][] = [];
  private readonly subscriptions = new Subscription();

  constructor(rtmp: RtmpServerService) {
    this.subscriptions.add(rtmp.streamEnded$.subscribe(this.ended));
    this.subscriptions.add(rtmp.playStarted$.subscribe(this.playStarted));
    this.subscriptions.add(rtmp.playEnded$.subscribe(this.playEnded));
    this.subscriptions.add(
      rtmp.liveStreams$.subscribe((streams: readonly RtmpStream[]) =>
        this.liveCounts.push(streams.map((s) => ({ key: s.key, players: s.playerCount }))),
      ),
    );
  }

  endOf(name: string): Promise<RtmpStreamEnded> {
    return firstValueFrom(this.ended.pipe(filter((ended) => ended.stream.name === name)));
  }

  stop(): void {
    this.subscriptions.unsubscribe();
  }
}

describe('RtmpServerService: stream and play events, players, disconnect (real FFmpeg)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-service-events-'));
  let clipPath: string;
  let source: ProbeResult;
  let app: INestApplicationContext;
  let rtmp: RtmpServerService;
  let recorded: Recorded;
  let baseUrl: string;

  beforeAll(async () => {
    clipPath = await generateTestMedia(join(workDir, 'clip.flv'), SMALL_TEST_MEDIA);
    source = await probeMedia(clipPath);
    app = await NestFactory.createApplicationContext(EventsAppModule, { logger: false });
    await app.init();
    rtmp = app.get(RtmpServerService);
    recorded = new Recorded(rtmp);
    baseUrl = `rtmp://127.0.0.1:${rtmp.address()?.port}/live`;
  }, 60_000);

  afterAll(async () => {
    killAllProcesses();
    recorded?.stop();
    await app?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('reports a player from Play.Start to its end: playStarted$, players(), the count in liveStreams$, playEnded$ with its totals; streamEnded$ with the reason and the stream totals', async () => {
    const started = firstValueFrom(rtmp.streamStarted$.pipe(filter((s) => s.name === 'watched')));
    const publishing = publishWithFfmpeg(clipPath, `${baseUrl}/watched`, { realtime: true });
    await started;
    const playStarted = firstValueFrom(
      recorded.playStarted.pipe(filter((p) => p.key === 'live/watched')),
    );
    const playing = playWithFfmpeg(`${baseUrl}/watched`, join(workDir, 'watched.flv'));
    const player = await playStarted;

    expect(player.request).toMatchObject({ action: 'play', app: 'live', streamName: 'watched' });
    expect(player.request.remoteAddress).toBe('127.0.0.1');
    expect(player.attached).toBe(true);
    expect(rtmp.players('live', 'watched')).toEqual([player]);
    expect(rtmp.liveStreams().find((s) => s.key === 'live/watched')?.playerCount).toBe(1);
    expect(recorded.liveCounts.at(-1)).toEqual([{ key: 'live/watched', players: 1 }]);

    const [published, played] = await Promise.all([publishing, playing]);
    expect(published.code).toBe(0);
    expect(played.code).toBe(0);

    const end = await recorded.endOf('watched');
    expect(end.reason).toBe('unpublished');
    // Messages, not frames: with the AVC and AAC sequence headers, and the AVC end-of-sequence
    // tag FFmpeg's FLV muxer writes last.
    expect(end.stats.videoPackets).toBe((source.video?.frames ?? 0) + 2);
    expect(end.stats.audioPackets).toBe((source.audio?.frames ?? 0) + 1);
    // Published at its own pace (-re): as long as the clip, give or take FFmpeg's start-up.
    expect(end.durationMs).toBeGreaterThan(SMALL_TEST_MEDIA.seconds * 1000 - 500);
    expect(end.endedAt.getTime() - end.stream.startedAt.getTime()).toBe(end.durationMs);

    const playEnd = await firstValueFrom(
      recorded.playEnded.pipe(filter((ended) => ended.player === player)),
    );
    // FFmpeg leaves when told the publisher left, saying deleteStream first.
    expect(playEnd.reason).toBe('stopped');
    expect(playEnd.stats.sent).toBeGreaterThan(0);
    expect(playEnd.durationMs).toBeGreaterThan(0);
    expect(rtmp.players('live', 'watched')).toEqual([]);
  }, 30_000);

  it('disconnect() takes a live stream down: the encoder is told why and stops, streamEnded$ says kicked with the message', async () => {
    const started = firstValueFrom(
      rtmp.streamStarted$.pipe(filter((s) => s.name === 'taken-down')),
    );
    const publishing = publishWithFfmpeg(clipPath, `${baseUrl}/taken-down`, { realtime: true });
    await started;

    expect(rtmp.disconnect('live', 'taken-down', 'Taken down by a moderator.')).toBe(true);
    const result = await publishing;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Taken down by a moderator.');
    const end = await recorded.endOf('taken-down');
    expect(end).toMatchObject({ reason: 'kicked', message: 'Taken down by a moderator.' });
    expect(rtmp.liveStreams().map((s) => s.key)).not.toContain('live/taken-down');
    // Well before the clip would have ended by itself.
    expect(end.durationMs).toBeLessThan(SMALL_TEST_MEDIA.seconds * 1000);
  }, 30_000);

  it('disconnect() of a stream nobody publishes says false', () => {
    expect(rtmp.disconnect('live', 'nobody-here', 'gone')).toBe(false);
  });
});
