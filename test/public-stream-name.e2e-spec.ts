import { INestApplicationContext, Injectable, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { filter, firstValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import {
  LiveStream,
  RtmpModule,
  RtmpServer,
  RtmpServerService,
  RtmpStream,
  StreamDecision,
  StreamKeyVerifier,
  StreamRequest,
  StreamVerdict,
  StreamVerdicts,
} from '../src';
import { CaptureLogger } from './support/capture-logger';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg, probePackets } from './support/ffmpeg-play';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/*
 * A stream's public name (StreamVerdicts.accept({ name })), with real FFmpeg publishers and
 * players: the verifier renames key `s3cret` to `alice`, and the stream is live, played,
 * relayed, reported and logged as live/alice, never under its key.
 */

const KEY = 's3cret';
/** Another key the verifier names `alice` too: refused while alice is live. */
const SECOND_KEY = 'other-k2-key';
/** A key the verifier accepts under a name that is no stream name. */
const BAD_NAME_KEY = 'bad-name-key';
const NAMES: Readonly<Record<string, string>> = {
  [KEY]: 'alice',
  [SECOND_KEY]: 'alice',
  [BAD_NAME_KEY]: 'x/y',
};

/** Renames each known key; plays are of whatever name a player asks for. */
@Injectable()
class RenamingVerifier extends StreamKeyVerifier {
  verify(request: StreamRequest): StreamVerdict {
    if (request.action === 'play') return StreamVerdicts.accept();
    const name = NAMES[request.streamName];
    return name === undefined
      ? StreamVerdicts.reject('Unknown stream key.')
      : StreamVerdicts.accept({ name });
  }
}

function appModule(logger: CaptureLogger, relayPort: number): Type<unknown> {
  @Module({
    imports: [
      RtmpModule.forRoot({
        port: 0,
        host: '127.0.0.1',
        apps: ['live'],
        logger,
        verifier: RenamingVerifier,
        relays: [
          { match: 'live/*', destinations: [`rtmp://127.0.0.1:${relayPort}/restream/{name}`] },
        ],
      }),
    ],
  })
  class PublicNameAppModule {}
  return PublicNameAppModule;
}

describe('a public name given by the verifier (real FFmpeg)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-public-name-'));
  const logger = new CaptureLogger();
  const destinationLogs: string[] = [];
  const decisions = new ReplaySubject<StreamDecision>();
  let clipPath: string;
  let source: ProbeResult;
  let destination: RtmpServer;
  let relayed: Promise<LiveStream>;
  let app: INestApplicationContext;
  let rtmp: RtmpServerService;
  let baseUrl: string;

  beforeAll(async () => {
    clipPath = await generateTestMedia(join(workDir, 'clip.flv'), SMALL_TEST_MEDIA);
    source = await probeMedia(clipPath);
    // Where the relay rule restreams to: it should be asked for restream/alice.
    const keep = (line: string): void => void destinationLogs.push(line);
    destination = new RtmpServer(
      { port: 0, host: '127.0.0.1' },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: keep, warn: keep, error: keep },
      },
    );
    const { port: relayPort } = await destination.listen();
    relayed = new Promise((resolve) => destination.onStreamStart(resolve));
    app = await NestFactory.createApplicationContext(appModule(logger, relayPort), { logger });
    await app.init();
    rtmp = app.get(RtmpServerService);
    rtmp.streamRequests$.subscribe(decisions);
    baseUrl = `rtmp://127.0.0.1:${rtmp.address()?.port}/live`;
  }, 60_000);

  afterAll(async () => {
    killAllProcesses();
    await app?.close();
    await destination?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('is live, played, relayed and reported as live/alice; live/s3cret finds nothing; a second key named alice is refused', async () => {
    const fromStart = join(workDir, 'alice-from-start.flv');
    const byKey = join(workDir, 's3cret.flv');
    const joined = join(workDir, 'alice-joined.flv');

    // Two players wait: one for the public name, one for the key.
    const waiting = firstValueFrom(rtmp.playStarted$.pipe(take(2), toArray()));
    const playerFromStart = playWithFfmpeg(`${baseUrl}/alice`, fromStart);
    const playerByKey = playWithFfmpeg(`${baseUrl}/${KEY}`, byKey);
    expect((await waiting).map((player) => player.key).sort()).toEqual([
      'live/alice',
      'live/s3cret',
    ]);

    const started = firstValueFrom(rtmp.streamStarted$);
    const ended = firstValueFrom(rtmp.streamEnded$);
    const publisher = publishWithFfmpeg(clipPath, `${baseUrl}/${KEY}`, { realtime: true });
    const stream: RtmpStream = await started;
    expect(stream).toMatchObject({
      key: 'live/alice',
      app: 'live',
      name: 'alice',
      publicName: 'alice',
      label: 'live/alice',
    });
    // The request the verifier decided on keeps the key, for the application alone.
    expect(stream.request.streamName).toBe(KEY);
    expect(rtmp.liveStreams().map((live) => live.name)).toEqual(['alice']);
    const publishDecision = await firstValueFrom(
      decisions.pipe(filter((decision) => decision.request.action === 'publish')),
    );
    expect(publishDecision.verdict).toEqual({ accepted: true, name: 'alice' });
    expect(publishDecision.request.streamName).toBe(KEY);

    // A player joining while it is live; the relay rule restreamed it as restream/alice.
    const playerJoined = playWithFfmpeg(`${baseUrl}/alice`, joined);
    expect((await relayed).key).toBe('restream/alice');

    // A second key the verifier names alice: refused as any second publisher of a live stream.
    const second = await publishWithFfmpeg(clipPath, `${baseUrl}/${SECOND_KEY}`);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('Already publishing');
    // A name that is no stream name: refused, never accepted under the key.
    const badName = await publishWithFfmpeg(clipPath, `${baseUrl}/${BAD_NAME_KEY}`);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('Verification failed.');
    expect(rtmp.liveStreams().map((live) => live.key)).toEqual(['live/alice']);

    // The players of live/alice follow the stream; the one of live/s3cret still waits.
    const alicePlayers = rtmp.players('live', 'alice');
    expect(alicePlayers.map((player) => player.attached)).toEqual([true, true]);
    const [keyPlayer] = rtmp.players('live', KEY);
    expect(keyPlayer).toMatchObject({ attached: false, stats: { sent: 0 } });

    const published = await publisher;
    expect(published.code).toBe(0);
    expect(await ended).toMatchObject({ reason: 'unpublished', stream: { name: 'alice' } });

    // FFmpeg playing live/alice got the stream: from its first GOP, and from a keyframe on.
    const [fromStartResult, joinedResult] = await Promise.all([playerFromStart, playerJoined]);
    expect(fromStartResult.code).toBe(0);
    expect(joinedResult.code).toBe(0);
    const { codec, width, height, frames = 0 } = source.video ?? {};
    for (const [out, atLeast] of [
      [fromStart, frames - SMALL_TEST_MEDIA.gop],
      [joined, 1],
    ] as const) {
      const probe = await probeMedia(out);
      expect(probe.video).toMatchObject({ codec, width, height });
      expect(probe.video?.frames).toBeGreaterThanOrEqual(atLeast);
      expect(probe.audio?.codec).toBe(source.audio?.codec);
      expect((await probePackets(out, 'v'))[0].keyFrame).toBe(true);
    }

    // FFmpeg playing live/s3cret got nothing: still waiting, no media sent, nothing written.
    expect(rtmp.players('live', KEY)).toEqual([keyPlayer]);
    expect(keyPlayer).toMatchObject({ attached: false, stats: { sent: 0 } });
    playerByKey.child.kill('SIGKILL');
    await playerByKey;
    expect(!existsSync(byKey) || statSync(byKey).size === 0).toBe(true);
  }, 60_000);

  it('logs the stream as live/alice and the refusals with the key masked', () => {
    const messages = logger.lines.map((line) => line.message);
    expect(messages).toContainEqual(expect.stringMatching(/ publishing live\/alice$/));
    expect(messages).toContainEqual(expect.stringMatching(/ playing live\/alice$/));
    expect(messages).toContainEqual(expect.stringMatching(/ live\/alice ended: unpublished$/));
    expect(messages).toContainEqual(
      expect.stringMatching(/publish of live\/\*\*\*\(12\) as alice rejected: Already publishing$/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^RTMP_ERR_VERIFIER_INVALID_NAME: the verifier accepted live\/\*\*\*\(12\) under an invalid public name \(it contains "\/"\): rejected$/,
      ),
    );
    expect(messages).toContainEqual(expect.stringMatching(/^live\/alice → rtmp:\/\/.*: live$/));
  });

  it('never logs a key: every line of the publish, the plays, the refusals and the end', () => {
    const lines = [...logger.texts(), ...destinationLogs];
    expect(lines.length).toBeGreaterThan(10);
    for (const key of [KEY, SECOND_KEY, BAD_NAME_KEY]) {
      expect(lines.filter((line) => line.includes(key))).toEqual([]);
    }
  });
});
