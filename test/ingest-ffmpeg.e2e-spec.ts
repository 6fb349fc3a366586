import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  FlvStreamRecorder,
  LiveStream,
  StreamDecision,
  StreamVerdicts,
  RecordingSummary,
  RtmpServer,
  StreamEnd,
} from '../libs/rtmp/src';
import { killAllProcesses, ProcessResult } from './support/child-processes';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import {
  addPacket,
  emptySummary,
  isNonDecreasing,
  MediaSummary,
  summarizeFlvFile,
} from './support/media-summary';
import { replayObsPublish } from './support/obs-replay';
import { generateTestMedia } from './support/test-media';

/** A 10 s clip, 25 fps with a keyframe every second: 250 video frames, 10 keyframes. */
const CLIP = { width: 320, height: 240, frameRate: 25, seconds: 10, gop: 25, videoBitrate: '300k' };
/** Seconds added to timestamps so they cross 0xFFFFFF ms (16,777.215 s) mid-clip. */
const EXTENDED_OFFSET_SECONDS = 16_772;
/** Video delay that forces FFmpeg to write a real extended timestamp (see publishWithFfmpeg). */
const EXTENDED_VIDEO_DELAY_SECONDS = 16_777.5 - EXTENDED_OFFSET_SECONDS;
const PARALLEL_PUBLISHERS = 10;

/**
 * FFmpeg's warnings apart from the two every RTMP output prints (it cannot seek back to patch
 * the FLV header on a network stream).
 */
function ffmpegComplaints(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/Failed to update header with correct/.test(line));
}

interface Received {
  readonly stream: LiveStream;
  readonly summary: MediaSummary;
  readonly ended: Promise<StreamEnd>;
  readonly recording: Promise<RecordingSummary>;
}

describe('ingest from real FFmpeg', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-ingest-'));
  const clipPath = join(workDir, 'clip.flv');
  const received = new Map<string, Received>();
  const decisions: StreamDecision[] = [];
  const waiters = new Map<string, (value: Received) => void>();
  let server: RtmpServer;
  let baseUrl: string;
  let source: MediaSummary;
  let sourceProbe: ProbeResult;
  let runs: Record<string, Promise<ProcessResult>>;

  /** Resolves when the stream `name` has started (or already has). */
  function streamNamed(name: string): Promise<Received> {
    const known = received.get(name);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => waiters.set(name, resolve));
  }

  beforeAll(async () => {
    await generateTestMedia(clipPath, CLIP);
    source = summarizeFlvFile(clipPath);
    sourceProbe = await probeMedia(clipPath);
    server = new RtmpServer(
      { port: 0, host: '127.0.0.1', apps: ['live'] },
      {
        verifyRequest: (request) =>
          request.streamName.startsWith('good') || request.streamName === 'obs'
            ? StreamVerdicts.accept()
            : StreamVerdicts.reject('Stream key not recognised by the test verifier'),
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    server.onRequestDecision((decision) => decisions.push(decision));
    server.onStreamStart((stream) => {
      const summary = emptySummary();
      stream.onPacket((packet) => addPacket(summary, packet));
      const ended = new Promise<StreamEnd>((resolve) => stream.onEnd(resolve));
      const recorder = new FlvStreamRecorder(stream, join(workDir, `${stream.name}.flv`));
      const entry = { stream, summary, ended, recording: recorder.finished };
      received.set(stream.name, entry);
      waiters.get(stream.name)?.(entry);
    });
    const { port } = await server.listen();
    baseUrl = `rtmp://127.0.0.1:${port}/live`;

    // Every publisher starts now and runs side by side; each test awaits its own.
    runs = {
      fast: publishWithFfmpeg(clipPath, `${baseUrl}/good-fast`),
      realtime: publishWithFfmpeg(clipPath, `${baseUrl}/good-realtime`, { realtime: true }),
      extended: publishWithFfmpeg(clipPath, `${baseUrl}/good-extended?token=abc`, {
        timestampOffsetSeconds: EXTENDED_OFFSET_SECONDS,
        videoDelaySeconds: EXTENDED_VIDEO_DELAY_SECONDS,
      }),
      rejected: publishWithFfmpeg(clipPath, `${baseUrl}/wrong-key`),
    };
    for (let i = 0; i < PARALLEL_PUBLISHERS; i += 1) {
      runs[`parallel-${i}`] = publishWithFfmpeg(clipPath, `${baseUrl}/good-parallel-${i}`);
    }
  }, 60_000);

  afterAll(async () => {
    killAllProcesses();
    await server?.close();
    // Recordings finish writing after their stream ends; let them before removing the folder.
    await Promise.allSettled([...received.values()].map((entry) => entry.recording));
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The checks every accepted FFmpeg publish must pass. */
  async function expectIntact(name: string, run: Promise<ProcessResult>): Promise<Received> {
    const result = await run;
    expect(ffmpegComplaints(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    const entry = await streamNamed(name);
    expect(await entry.ended).toEqual({ reason: 'unpublished' });
    const { summary } = entry;
    expect(summary.videoFrames).toBe(source.videoFrames);
    expect(summary.audioFrames).toBe(source.audioFrames);
    expect(summary.keyFrameIndexes).toEqual(source.keyFrameIndexes);
    expect(summary.videoSequenceHeaders).toBe(1);
    expect(summary.audioSequenceHeaders).toBe(1);
    expect(summary.metadataPackets).toBe(1);
    expect(isNonDecreasing(summary.videoTimestamps)).toBe(true);
    expect(isNonDecreasing(summary.audioTimestamps)).toBe(true);
    return entry;
  }

  it('generated a clip with the frames the tests count on', () => {
    // FFmpeg's -t may let one more frame through; what matters is that the count is known.
    expect(Math.abs(source.videoFrames - CLIP.seconds * CLIP.frameRate)).toBeLessThanOrEqual(1);
    expect(source.keyFrameIndexes.slice(0, CLIP.seconds)).toEqual(
      Array.from({ length: CLIP.seconds }, (_, i) => i * CLIP.gop),
    );
    expect(source.audioFrames).toBeGreaterThan(400);
  });

  it('delivers every frame of a publish sent as fast as possible, and records it intact', async () => {
    const entry = await expectIntact('good-fast', runs.fast);
    expect(entry.summary.videoTimestamps).toEqual(source.videoTimestamps);
    expect(entry.summary.audioTimestamps).toEqual(source.audioTimestamps);
    const recording = await entry.recording;
    const probe = await probeMedia(recording.path);
    expect(probe.video).toEqual(sourceProbe.video);
    expect(probe.audio).toEqual(sourceProbe.audio);
    expect(entry.stream.metadata?.metadata?.width).toBe(CLIP.width);
  });

  it('delivers every frame of a real-time (-re) publish', async () => {
    const entry = await expectIntact('good-realtime', runs.realtime);
    const probe = await probeMedia((await entry.recording).path);
    expect(probe.video?.frames).toBe(sourceProbe.video?.frames);
    expect(probe.audio?.frames).toBe(sourceProbe.audio?.frames);
  }, 30_000);

  it('reads timestamps past 0xFFFFFF ms (extended timestamps) and splits the query off', async () => {
    const entry = await expectIntact('good-extended', runs.extended);
    const offset = EXTENDED_OFFSET_SECONDS * 1000;
    const videoOffset = offset + EXTENDED_VIDEO_DELAY_SECONDS * 1000;
    expect(entry.summary.videoTimestamps).toEqual(
      source.videoTimestamps.map((t) => t + videoOffset),
    );
    expect(entry.summary.audioTimestamps).toEqual(source.audioTimestamps.map((t) => t + offset));
    // Audio crosses 0xFFFFFF with small deltas; video's first frame is 0xFFFFFF+ ms after its
    // sequence header, a delta FFmpeg can only write as an extended timestamp.
    expect(entry.summary.audioTimestamps.some((t) => t < 0xffffff)).toBe(true);
    expect(entry.summary.audioTimestamps.some((t) => t > 0xffffff)).toBe(true);
    expect(entry.summary.videoTimestamps[0]).toBeGreaterThan(0xffffff);
    expect(entry.stream.request.query).toEqual({ token: 'abc' });
  });

  it(`delivers ${PARALLEL_PUBLISHERS} simultaneous publishers on different keys intact`, async () => {
    for (let i = 0; i < PARALLEL_PUBLISHERS; i += 1) {
      await expectIntact(`good-parallel-${i}`, runs[`parallel-${i}`]);
    }
  });

  it('rejects a publish the verifier refuses: FFmpeg fails with the reason, nothing is delivered', async () => {
    const result = await runs.rejected;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Stream key not recognised by the test verifier');
    expect(received.has('wrong-key')).toBe(false);
    const decision = decisions.find((d) => d.request.streamName === 'wrong-key');
    expect(decision?.verdict).toEqual({
      accepted: false,
      reason: 'Stream key not recognised by the test verifier',
      code: 'BadName',
    });
    // The server goes on serving the next publisher.
    await expectIntact(
      'good-after-reject',
      publishWithFfmpeg(clipPath, `${baseUrl}/good-after-reject`),
    );
  });

  it('asks the verifier exactly once per publish', async () => {
    await Promise.all(Object.values(runs));
    const names = decisions.map((d) => d.request.streamName);
    expect(new Set(names).size).toBe(names.length);
    expect(decisions.find((d) => d.request.streamName === 'good-fast')?.request).toMatchObject({
      app: 'live',
      publishType: 'live',
      tcUrl: `${baseUrl}`,
      remoteAddress: '127.0.0.1',
    });
  });

  it('refuses a connect to an app it does not serve, and FFmpeg fails', async () => {
    const result = await publishWithFfmpeg(
      clipPath,
      baseUrl.replace('/live', '/other') + '/good-x',
    );
    expect(result.code).not.toBe(0);
    expect(received.has('good-x')).toBe(false);
  });

  it('accepts the OBS Studio command sequence (captured bytes) and delivers its media', async () => {
    const replies = await replayObsPublish(server.address()!.port);
    const entry = await streamNamed('obs');
    expect(entry.stream.app).toBe('live');
    expect(await entry.ended).toEqual({ reason: 'unpublished' });
    expect(entry.summary).toMatchObject({
      videoSequenceHeaders: 1,
      audioSequenceHeaders: 1,
      videoFrames: 3,
      audioFrames: 2,
      keyFrameIndexes: [0],
      metadataPackets: 1,
    });
    expect(entry.stream.metadata?.name).toBe('onMetaData');
    expect(replies.includes('NetStream.Unpublish.Success')).toBe(true);
  });
});
