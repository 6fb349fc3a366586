import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LiveStream, StreamVerdicts, RtmpServer } from '../libs/rtmp/src';
import {
  loadFfmpegPublishChunks,
  loadObsPublishChunks,
} from '../libs/rtmp/src/protocol/chunk/testing/chunk-fixtures';
import { killAllProcesses } from './support/child-processes';
import { publishWithFfmpeg } from './support/ffmpeg';
import { addPacket, emptySummary, summarizeFlvFile } from './support/media-summary';
import { MUTATIONS, mutate, runHostileSession, seededRandom } from './support/session-fuzzer';
import { generateTestMedia } from './support/test-media';

/** Sessions thrown at the server, and how many run at once. */
const SESSIONS = 2_000;
const CONCURRENCY = 40;
const SEED = 20261124;

describe('fuzzing over the socket while a healthy publisher streams', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-fuzz-'));
  const logs: string[] = [];
  const unexpected: unknown[] = [];
  const onUnexpected = (error: unknown): void => {
    unexpected.push(error);
  };
  let server: RtmpServer;
  let port: number;

  beforeAll(async () => {
    process.on('uncaughtException', onUnexpected);
    process.on('unhandledRejection', onUnexpected);
    server = new RtmpServer(
      {
        port: 0,
        host: '127.0.0.1',
        handshakeTimeoutMs: 2_000,
        connectToPublishTimeoutMs: 2_000,
        idleMediaTimeoutMs: 2_000,
        maxConnectionsPerAddress: 1_000,
        maxMessageSize: 4 * 1024 * 1024,
        maxPendingMessageBytes: 8 * 1024 * 1024,
      },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: {
          log: () => undefined,
          warn: (message) => logs.push(message),
          error: (message) => logs.push(message),
        },
      },
    );
    ({ port } = await server.listen());
  });

  afterAll(async () => {
    killAllProcesses();
    await server.close();
    process.off('uncaughtException', onUnexpected);
    process.off('unhandledRejection', onUnexpected);
    rmSync(workDir, { recursive: true, force: true });
  });

  it(`survives ${SESSIONS} mutated sessions; the healthy stream arrives intact`, async () => {
    const clip = await generateTestMedia(join(workDir, 'clip.flv'), {
      width: 320,
      height: 240,
      frameRate: 25,
      seconds: 6,
      gop: 25,
      videoBitrate: '300k',
    });
    const source = summarizeFlvFile(clip);
    const healthy = emptySummary();
    const healthyStream = new Promise<LiveStream>((resolve) =>
      server.onStreamStart((stream) => {
        if (stream.name !== 'healthy') return;
        stream.onPacket((packet) => addPacket(healthy, packet));
        resolve(stream);
      }),
    );
    const publisher = publishWithFfmpeg(clip, `rtmp://127.0.0.1:${port}/live/healthy`, {
      realtime: true,
    });
    const stream = await healthyStream;
    const healthyEnded = new Promise((resolve) => stream.onEnd(resolve));

    const heapBefore = process.memoryUsage().heapUsed;
    const corpus = [
      loadFfmpegPublishChunks(128),
      loadFfmpegPublishChunks(4096),
      loadObsPublishChunks(),
    ];
    const random = seededRandom(SEED);
    let next = 0;
    let timedOut = 0;
    const worker = async (): Promise<void> => {
      while (next < SESSIONS) {
        const index = next++;
        const base = corpus[index % corpus.length];
        const mutation = MUTATIONS[Math.floor(random() * MUTATIONS.length)];
        const bytes = mutate(base, mutation, random);
        const garbleHandshake = index % 97 === 0;
        if (!(await runHostileSession(port, bytes, 5_000, garbleHandshake))) timedOut += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Every hostile session was closed by the server (none hung past its timeouts).
    expect(timedOut).toBe(0);
    // Nothing escaped: no exception outside a typed RtmpError, no crash, no unhandled promise.
    expect(unexpected).toEqual([]);
    expect(logs.filter((line) => line.includes('RTMP_ERR_SESSION_INTERNAL'))).toEqual([]);
    const typedCloses = logs.filter((line) => / closed: RTMP_ERR_[A-Z0-9_]+: /.test(line));
    // The mutations reach many different rules, not one early check.
    const codes = new Set(typedCloses.map((line) => /(RTMP_ERR_[A-Z0-9_]+)/.exec(line)?.[1]));
    expect(codes.size).toBeGreaterThanOrEqual(6);
    expect(typedCloses.length).toBeGreaterThan(SESSIONS / 10);
    expect(logs.filter((line) => / closed: (?!RTMP_ERR_)/.test(line))).toEqual([]);

    // The healthy publisher never noticed.
    const result = await publisher;
    expect(result.code).toBe(0);
    await healthyEnded;
    expect(stream.ended).toEqual({ reason: 'unpublished' });
    expect(healthy.videoFrames).toBe(source.videoFrames);
    expect(healthy.audioFrames).toBe(source.audioFrames);
    expect(healthy.keyFrameIndexes).toEqual(source.keyFrameIndexes);

    // Memory returns close to where it was once the sessions are gone.
    const deadline = Date.now() + 10_000;
    while (server.connectionCount > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(server.connectionCount).toBe(0);
    (global as { gc?: () => void }).gc?.();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});
