import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, isAbsolute, join, relative, resolve } from 'path';
import { filter, firstValueFrom, skip } from 'rxjs';
import { AppModule } from '../apps/demo/src/app.module';
import { StreamRecorderService } from '../apps/demo/src/stream-recorder.service';
import { MessageType } from '../libs/rtmp/src/protocol/message';
import { audioPacket, videoPacket } from '../libs/rtmp/src/media/testing/media-packet.fixtures';
import { maskStreamKey, StreamVerdicts, RtmpServer, RtmpServerService } from '../src';
import { CaptureLogger } from './support/capture-logger';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg } from './support/ffmpeg-play';
import { freeLoopbackPort, waitForPort } from './support/ports';
import { ScriptedRtmpClient } from './support/scripted-rtmp-client';
import { killStartedProcesses, runIn, startProcess } from './support/started-process';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/*
 * The demo application (apps/demo) as its users run it: configured from the environment,
 * verifying keys, logging stats and recording every accepted stream. In process first (its
 * AppModule, with Nest's logs captured), then its built main.js as a child process.
 */

const ROOT = resolve(__dirname, '..');
const KEYS = ['key-one', 'key-two'];
/** RTMP_STREAM_KEYS as key:name pairs: key-one is published as "one", key-two as "stream2". */
const STREAM_KEYS = `${KEYS[0]}:one,${KEYS[1]}`;
const WRONG_KEY = 'not-a-key-42';
/** The start time in a recording's name: an ISO date with ':' and '.' replaced by '-'. */
const START_TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z`;

/** Creates the demo's context with `env` in process.env while its providers read it. */
async function startDemo(
  env: Record<string, string>,
  logger: CaptureLogger,
): Promise<INestApplicationContext> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const app = await NestFactory.createApplicationContext(AppModule, { logger });
    await app.init();
    return app;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every file under `dir`, at any depth, as full paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

/** Whether `path` lies inside `dir`. */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** `rtmp://127.0.0.1:<port>/live/<key or public name>` of the demo `app`. */
function rtmpUrl(app: INestApplicationContext, key: string): string {
  const address = app.get(RtmpServerService).address();
  if (address === undefined) throw new Error('the demo is not listening');
  return `rtmp://127.0.0.1:${address.port}/live/${key}`;
}

describe('the demo application, with real FFmpeg', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-demo-'));
  const clipPath = join(workDir, 'clip.flv');
  let sourceProbe: ProbeResult;

  beforeAll(async () => {
    await generateTestMedia(clipPath, SMALL_TEST_MEDIA);
    sourceProbe = await probeMedia(clipPath);
  }, 60_000);

  afterAll(() => {
    killAllProcesses();
    killStartedProcesses();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('AppModule, configured from the environment', () => {
    const recordDir = join(workDir, 'recordings');
    const logger = new CaptureLogger();
    let app: INestApplicationContext;

    beforeAll(async () => {
      app = await startDemo(
        {
          RTMP_PORT: '0',
          RTMP_HOST: '127.0.0.1',
          RTMP_STREAM_KEYS: STREAM_KEYS,
          RECORD_DIR: recordDir,
          STATS_INTERVAL_MS: '200',
        },
        logger,
      );
    });

    afterAll(async () => {
      killAllProcesses();
      await app?.close();
    });

    it('listens where RTMP_HOST and RTMP_PORT say (0: a free port)', () => {
      const address = app.get(RtmpServerService).address();
      expect(address?.address).toBe('127.0.0.1');
      expect(address?.port).toBeGreaterThan(0);
    });

    it('accepts a configured key as its public name (stream2: no name given), plays and records it as live/stream2 (no key), and the recording decodes like the source', async () => {
      const rtmp = app.get(RtmpServerService);
      // A player of the public name, waiting for the stream; one of the key is refused.
      const playedPath = join(workDir, 'played-stream2.flv');
      const waiting = firstValueFrom(rtmp.playStarted$);
      const played = playWithFfmpeg(rtmpUrl(app, 'stream2'), playedPath);
      expect((await waiting).key).toBe('live/stream2');
      const byKey = await playWithFfmpeg(rtmpUrl(app, 'key-two'), join(workDir, 'by-key.flv'));
      expect(byKey.code).not.toBe(0);
      expect(byKey.stderr).toContain('Unknown stream.');
      // In real time, so that the stats service reports while the stream is live.
      const started = firstValueFrom(rtmp.streamStarted$);
      const result = await publishWithFfmpeg(clipPath, rtmpUrl(app, 'key-two'), { realtime: true });
      expect(result.code).toBe(0);
      expect(await started).toMatchObject({
        key: 'live/stream2',
        name: 'stream2',
        publicName: 'stream2',
        request: { streamName: 'key-two' },
      });
      const recording = app.get(StreamRecorderService).recording('live/stream2');
      expect(recording).toBeDefined();
      const { path, error } = (await recording)!;
      expect(error).toBeUndefined();
      expect(path).toMatch(
        new RegExp(`^${escapeRegExp(recordDir)}/live/stream2-${START_TIME}-s\\d+\\.flv$`),
      );
      expect(readdirSync(join(recordDir, 'live'))).toEqual([basename(path)]);
      const probe = await probeMedia(path);
      expect(probe.video).toEqual(sourceProbe.video);
      expect(probe.audio).toEqual(sourceProbe.audio);
      // The player of live/stream2 got the stream (from its first GOP), and left when it ended.
      expect((await played).code).toBe(0);
      const playedProbe = await probeMedia(playedPath);
      const { codec, width, height, frames = 0 } = sourceProbe.video ?? {};
      expect(playedProbe.video).toMatchObject({ codec, width, height });
      expect(playedProbe.video?.frames).toBeGreaterThanOrEqual(frames - SMALL_TEST_MEDIA.gop);
      const masked = escapeRegExp(maskStreamKey('key-two'));
      expect(
        logger.matching(
          new RegExp(`^accepted live/${masked} from 127\\.0\\.0\\.1 as live/stream2$`),
        ),
      ).toHaveLength(1);
      // The log says where each recording went, beside the stream's public name.
      expect(
        logger.matching(new RegExp(`^recording live/stream2 to ${escapeRegExp(path)}$`)),
      ).toHaveLength(1);
    }, 30_000);

    it('logs the codecs, resolution and bitrate of a live stream', async () => {
      const line = await logger.waitFor(
        (entry) =>
          entry.params.includes('StreamStatsService') && /[1-9]\d* kbit\/s/.test(entry.message),
      );
      const { width, height } = SMALL_TEST_MEDIA;
      expect(line.message).toMatch(
        new RegExp(
          String.raw`^live/stream2: video h264 ${width}x${height}, audio aac, [1-9]\d* kbit/s, [\d.]+ fps$`,
        ),
      );
    });

    it('rejects an unknown key: FFmpeg exits non-zero with "Unknown stream key." and nothing is recorded', async () => {
      const result = await publishWithFfmpeg(clipPath, rtmpUrl(app, WRONG_KEY));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Unknown stream key.');
      expect(app.get(StreamRecorderService).recording(`live/${WRONG_KEY}`)).toBeUndefined();
      expect(app.get(RtmpServerService).liveStreams()).toEqual([]);
      expect(readdirSync(join(recordDir, 'live')).some((file) => file.includes(WRONG_KEY))).toBe(
        false,
      );
      expect(logger.matching(/^rejected live\/.* unknown stream key$/, 'warn')).toHaveLength(1);
    });

    it('never logs a stream key whole', () => {
      const logged = logger.texts();
      expect(logged.length).toBeGreaterThan(0);
      for (const key of [...KEYS, WRONG_KEY]) {
        expect(logged.filter((line) => line.includes(key))).toEqual([]);
      }
    });
  });

  describe('AppModule closed while a stream is recorded', () => {
    it('closes the recording, which plays up to where the stream was cut', async () => {
      const recordDir = join(workDir, 'recordings-close');
      const app = await startDemo(
        {
          RTMP_PORT: '0',
          RTMP_HOST: '127.0.0.1',
          RTMP_STREAM_KEYS: 'key-one',
          RECORD_DIR: recordDir,
        },
        new CaptureLogger(),
      );
      // key-one has no name: it is published as stream1.
      let closed = false;
      try {
        const rtmp = app.get(RtmpServerService);
        const run = publishWithFfmpeg(clipPath, rtmpUrl(app, 'key-one'), { realtime: true });
        await firstValueFrom(
          rtmp.packets('live', 'stream1').pipe(
            filter((packet) => packet.type === 'video'),
            skip(10),
          ),
        );
        const recording = app.get(StreamRecorderService).recording('live/stream1');
        await app.close();
        closed = true;
        await run;

        const { path } = (await recording)!;
        const probe = await probeMedia(path);
        expect(probe.video?.frames).toBeGreaterThanOrEqual(10);
        expect(probe.video?.frames).toBeLessThan(sourceProbe.video?.frames ?? 0);
      } finally {
        if (!closed) await app.close();
      }
    });
  });

  describe('AppModule with RELAY_URLS', () => {
    it('restreams every accepted stream to each relay URL, {name} substituted by its public name', async () => {
      // The relay destination: a plain RtmpServer that accepts everything and counts frames.
      const destination = new RtmpServer(
        { port: 0, host: '127.0.0.1' },
        {
          verifyRequest: () => StreamVerdicts.accept(),
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        },
      );
      const { port } = await destination.listen();
      const relayed = new Promise<{ name: string; videoFrames: number }>((resolveRelayed) =>
        destination.onStreamStart((stream) => {
          let videoFrames = 0;
          stream.onPacket((packet) => {
            if (packet.type === 'video' && !packet.tag.isSequenceHeader) videoFrames += 1;
          });
          stream.onEnd(() => resolveRelayed({ name: stream.name, videoFrames }));
        }),
      );
      const logger = new CaptureLogger();
      const app = await startDemo(
        {
          RTMP_PORT: '0',
          RTMP_HOST: '127.0.0.1',
          RTMP_STREAM_KEYS: 'relay-key:relayed',
          RELAY_URLS: `rtmp://127.0.0.1:${port}/restream/{app}-{name}`,
        },
        logger,
      );
      try {
        const result = await publishWithFfmpeg(clipPath, rtmpUrl(app, 'relay-key'), {
          realtime: true,
        });
        expect(result.code).toBe(0);
        const { name, videoFrames } = await relayed;
        expect(name).toBe('live-relayed');
        // The relay starts on the first keyframe after it is live: most of the clip arrives.
        expect(videoFrames).toBeGreaterThan((sourceProbe.video?.frames ?? 0) / 2);
        expect(logger.lines.map((line) => line.message).join('\n')).not.toContain('relay-key');
      } finally {
        await app.close();
        await destination.close();
      }
    }, 30_000);
  });

  describe('AppModule and a publisher that picks the app', () => {
    it('serves only the apps it documents: a connect to another app is refused (InvalidApp)', async () => {
      const app = await startDemo(
        { RTMP_PORT: '0', RTMP_HOST: '127.0.0.1', RTMP_STREAM_KEYS: 'key-one' },
        new CaptureLogger(),
      );
      try {
        const port = app.get(RtmpServerService).address()?.port ?? 0;
        const other = await ScriptedRtmpClient.connect(port);
        void other.connectApp('other').catch(() => undefined);
        const refusal = await other.waitForCommand('_error');
        expect(refusal.args[0]).toMatchObject({ code: 'NetConnection.Connect.InvalidApp' });
        await other.whenClosed();
        const live = await ScriptedRtmpClient.connect(port);
        const { status } = await live.publish('live', 'key-one');
        expect(status.code).toBe('NetStream.Publish.Start');
        await live.close();
      } finally {
        await app.close();
      }
    });

    it('records a publish to app "../../x" (when RTMP_APPS serves it) inside RECORD_DIR and writes nothing outside it', async () => {
      const root = join(workDir, 'hostile-app');
      const recordDir = join(root, 'a', 'b', 'recordings');
      const app = await startDemo(
        {
          RTMP_PORT: '0',
          RTMP_HOST: '127.0.0.1',
          RTMP_STREAM_KEYS: 'key-one',
          RTMP_APPS: 'live,../../x',
          RECORD_DIR: recordDir,
        },
        new CaptureLogger(),
      );
      try {
        // FFmpeg would normalise the URL; the scripted client sends the app as it is.
        const port = app.get(RtmpServerService).address()?.port ?? 0;
        const client = await ScriptedRtmpClient.connect(port);
        const { streamId, status } = await client.publish('../../x', 'key-one');
        expect(status.code).toBe('NetStream.Publish.Start');
        for (const packet of [videoPacket(0, 'header'), videoPacket(0, 'key'), audioPacket(0)]) {
          const typeId = packet.type === 'video' ? MessageType.Video : MessageType.Audio;
          client.sendMedia(streamId, typeId, packet.timestamp, packet.payload);
        }
        const recording = app.get(StreamRecorderService).recording('../../x/stream1');
        await client.close();
        const outcome = await recording;

        const files = filesUnder(root);
        expect(files.filter((file) => !isInside(recordDir, file))).toEqual([]);
        expect(files).toEqual([outcome?.path]);
        expect(outcome?.error).toBeUndefined();
        expect(basename(outcome?.path ?? '')).not.toContain('key-one');
      } finally {
        await app.close();
      }
    });
  });

  describe('main.ts, built with npm run build', () => {
    const mainJs = join(ROOT, 'dist/apps/demo/src/main.js');
    /** A short clip for these runs: each publish takes a second, in real time. */
    const shortClip = join(workDir, 'short.flv');

    beforeAll(async () => {
      const [build] = await Promise.all([
        runIn(ROOT, 'npm', ['run', 'build'], { timeoutMs: 120_000 }),
        generateTestMedia(shortClip, { ...SMALL_TEST_MEDIA, seconds: 1 }),
      ]);
      if (build.code !== 0)
        throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }, 120_000);

    /** Starts main.js with `env` (over this process's) and resolves with its port. */
    async function startMain(env: Record<string, string>) {
      expect(existsSync(mainJs)).toBe(true);
      const demo = startProcess(process.execPath, [mainJs], {
        cwd: workDir,
        env: { ...process.env, RTMP_PORT: '0', RTMP_HOST: '127.0.0.1', NO_COLOR: '1', ...env },
      });
      const [, port] = await demo.waitForOutput(/RTMP server listening on 127\.0\.0\.1:(\d+)/);
      return { demo, port: Number(port) };
    }

    it('prints where to publish and play, records and relays an FFmpeg publish under its public name, never prints the key, and exits 0 on SIGTERM', async () => {
      const key = 'some-secret-key';
      const destinationKey = 'destination-secret-key';
      const recordDir = join(workDir, 'main-recordings');
      // Nobody listens there: the relays retry, and log it.
      const relayPort = await freeLoopbackPort();
      const { demo, port } = await startMain({
        RTMP_STREAM_KEYS: `${key}:show`,
        RECORD_DIR: recordDir,
        RELAY_URLS: [
          `rtmp://127.0.0.1:${relayPort}/push/{name}`,
          `rtmp://127.0.0.1:${relayPort}/push/${destinationKey}`,
        ].join(','),
      });
      // The instructions name the port actually bound, and a placeholder for the key.
      const [, server] = await demo.waitForOutput(
        /ffmpeg -re -i input\.mp4 .* -f flv "(\S+)\/<your stream key>"/,
      );
      expect(server).toBe(`rtmp://127.0.0.1:${port}/live`);
      expect(demo.stdout()).toContain('RTMP_STREAM_KEYS');
      await demo.waitForOutput(new RegExp(`ffplay ${escapeRegExp(server)}/show\\n`));

      const result = await publishWithFfmpeg(shortClip, `${server}/${key}`, { realtime: true });
      expect(result.code).toBe(0);
      const [, path] = await demo.waitForOutput(
        /\[StreamRecorderService\] recording live\/show to (\S+)/,
      );
      expect(basename(path)).toMatch(new RegExp(`^show-${START_TIME}-s\\d+\\.flv$`));
      await demo.waitForOutput(/\[RtmpRelay\] live\/show → .*retrying/);
      await demo.waitForOutput(/\[StreamStatsService\] live\/show ended/);

      demo.child.kill('SIGTERM');
      const exit = await demo.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.stderr).toBe('');
      expect(exit.stdout).not.toContain(key);
      expect(exit.stdout).not.toContain(destinationKey);
      expect(readdirSync(join(recordDir, 'live'))).toEqual([basename(path)]);
    });

    it('records a key too long to be a file name: the process survives and the file name holds no key', async () => {
      // 300 characters: a file named after it would be over the 255-byte limit (ENAMETOOLONG).
      const key = `long-secret-${'k'.repeat(288)}`;
      const recordDir = join(workDir, 'long-key-recordings');
      const { demo, port } = await startMain({ RTMP_STREAM_KEYS: key, RECORD_DIR: recordDir });
      const result = await publishWithFfmpeg(shortClip, `rtmp://127.0.0.1:${port}/live/${key}`, {
        realtime: true,
      });
      expect(result.code).toBe(0);
      // No name given: published as stream1.
      await demo.waitForOutput(/\[StreamStatsService\] live\/stream1 ended/);

      demo.child.kill('SIGTERM');
      const exit = await demo.exited;
      expect(exit).toMatchObject({ code: 0, signal: null, stderr: '' });
      expect(exit.stdout).not.toContain(key);
      expect(readdirSync(join(recordDir, 'live'))).toEqual([
        expect.stringMatching(new RegExp(`^stream1-${START_TIME}-s\\d+\\.flv$`)),
      ]);
    });

    it('keeps running when RECORD_DIR cannot be written: the publish goes live and the failure is logged, key masked', async () => {
      const key = 'some-secret-key';
      writeFileSync(join(workDir, 'not-a-folder'), '');
      const { demo, port } = await startMain({
        RTMP_STREAM_KEYS: key,
        RECORD_DIR: join(workDir, 'not-a-folder', 'recordings'),
      });
      const result = await publishWithFfmpeg(shortClip, `rtmp://127.0.0.1:${port}/live/${key}`, {
        realtime: true,
      });
      expect(result.code).toBe(0);
      await demo.waitForOutput(/\[StreamStatsService\] live\/stream1 ended/);
      expect(demo.child.exitCode).toBeNull();

      demo.child.kill('SIGTERM');
      const exit = await demo.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.stderr).toMatch(
        /\[StreamRecorderService\] recording of live\/stream1 failed: .*ENOTDIR/,
      );
      expect(exit.stdout + exit.stderr).not.toContain(key);
    });

    it('npm start stops the server on SIGTERM: the signal reaches node (no orphan left listening)', async () => {
      const port = await freeLoopbackPort();
      // npm signals its child, the shell of the script; the script execs node, so that child
      // is the server itself.
      const npm = startProcess('npm', ['start'], {
        cwd: ROOT,
        env: { ...process.env, RTMP_PORT: String(port), RTMP_HOST: '127.0.0.1', NO_COLOR: '1' },
        timeoutMs: 120_000,
      });
      await npm.waitForOutput(/RTMP server listening on 127\.0\.0\.1:\d+/, 120_000);
      expect(await waitForPort(port, { timeoutMs: 1_000 })).toBe(true);
      // The default key, which is public, and its stream's public name.
      await npm.waitForOutput(new RegExp(`-f flv rtmp://\\S+:${port}/live/demo-key\\n`));
      await npm.waitForOutput(new RegExp(`ffplay rtmp://\\S+:${port}/live/demo\\n`));

      npm.child.kill('SIGTERM');
      await npm.exited;
      expect(await waitForPort(port, { timeoutMs: 200 })).toBe(false);
    }, 150_000);
  });
});
