import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { RtmpClientError, RtmpErrorCode, RtmpPublishClient } from '../libs/rtmp/src';
import {
  DataMessageName,
  encodeDataMessage,
  FlvTag,
  FlvTagType,
  parseMediaTag,
  readFlvFile,
} from '../libs/rtmp/src/protocol';
import { killAllProcesses, ProcessResult, runProcess } from './support/child-processes';
import { probeMedia, ProbeResult } from './support/ffmpeg';
import {
  alignFrames,
  countFrames,
  decodeErrors,
  flvFrames,
  MediaFrame,
} from './support/media-frames';
import { NginxRtmp } from './support/nginx-rtmp';
import { freeLoopbackPort } from './support/ports';
import { StallingRtmpServer } from './support/stalling-rtmp-server';
import { createSelfSignedCertificate, TlsTerminator } from './support/tls-terminator';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/** 4 s of H.264 (25 fps, a keyframe a second) + AAC. */
const CLIP = SMALL_TEST_MEDIA;
/** A stream name whose on_publish nginx's callback answers 403. */
const DENIED_PREFIX = 'deny-';
/** How fast a refused publish must fail: nginx just closes the connection. */
const REJECTION_DEADLINE_MS = 2_000;

/**
 * Sends every tag of an FLV file with its own timestamp plus `offset` (uint32), as an encoder
 * would; returns how many sends were refused. The clips are far smaller than the client's queue
 * (4 MiB), so a refusal here is a failure, not pacing.
 */
function sendTags(client: RtmpPublishClient, tags: readonly FlvTag[], offset = 0): number {
  let refused = 0;
  for (const tag of tags) {
    const timestamp = (tag.timestamp + offset) >>> 0;
    let sent = true;
    if (tag.type === FlvTagType.ScriptData) sent = client.sendMetadata(tag.body);
    else if (tag.type === FlvTagType.Audio) sent = client.sendAudio(timestamp, tag.body);
    else if (tag.type === FlvTagType.Video) sent = client.sendVideo(timestamp, tag.body);
    if (!sent) refused += 1;
  }
  return refused;
}

/** The frames of a clip as sent with `offset` added to every timestamp. */
function framesOf(tags: readonly FlvTag[], offset = 0): MediaFrame[] {
  const frames: MediaFrame[] = [];
  for (const tag of tags) {
    const parsed = parseMediaTag(tag.type, tag.body);
    if (parsed === undefined || parsed.isSequenceHeader) continue;
    frames.push({
      type: parsed.kind,
      timestamp: (tag.timestamp + offset) >>> 0,
      keyFrame: parsed.kind === 'video' && parsed.isKeyFrame,
      sequenceEnd: parsed.kind === 'video' && parsed.isSequenceEnd,
      body: tag.body,
    });
  }
  return frames;
}

/** Settles with the error connect() rejected with (undefined if it resolved) and how long it took. */
async function connectOutcome(
  client: RtmpPublishClient,
): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  const error = await client.connect().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return { error, elapsedMs: performance.now() - started };
}

/** `global.gc`, without starting Node with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('push client against real servers (nginx-rtmp, FFmpeg, TLS)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-push-'));
  const clipPath = join(workDir, 'clip.flv');
  let tags: FlvTag[];
  let clip: MediaFrame[];
  let clipProbe: ProbeResult;
  let nginx: NginxRtmp;
  let terminator: TlsTerminator | undefined;
  const clients = new Set<RtmpPublishClient>();
  const closers: (() => Promise<void>)[] = [];

  /** A client that afterEach closes, whatever the test did with it. */
  function client(
    url: string,
    options: Partial<ConstructorParameters<typeof RtmpPublishClient>[0]> = {},
  ) {
    const created = new RtmpPublishClient({ ...options, url });
    clients.add(created);
    return created;
  }

  beforeAll(async () => {
    await generateTestMedia(clipPath, CLIP);
    tags = readFlvFile(readFileSync(clipPath)).tags;
    clip = framesOf(tags);
    clipProbe = await probeMedia(clipPath);
    nginx = await NginxRtmp.start({
      onPublish: (call) => (call.name.startsWith(DENIED_PREFIX) ? 403 : 200),
    });
  }, 30_000);

  afterEach(async () => {
    await Promise.all([...clients].map((c) => c.close()));
    clients.clear();
    while (closers.length > 0) await closers.pop()?.();
  });

  afterAll(async () => {
    killAllProcesses();
    await terminator?.close();
    await nginx?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** What every complete push of the clip must leave in a recording. */
  async function expectWholeClip(path: string, sent: readonly MediaFrame[] = clip): Promise<void> {
    expect(alignFrames(sent, flvFrames(path))).toEqual({
      startsOnKeyFrame: sent[0].keyFrame,
      firstVideoIsKeyFrame: true,
      start: 0,
      received: sent.length,
      expected: sent.length,
      firstMismatch: undefined,
    });
    const probe = await probeMedia(path);
    const copies = sent.length / clip.length;
    expect(probe.video).toEqual({
      ...clipProbe.video,
      frames: (clipProbe.video?.frames ?? 0) * copies,
    });
    expect(probe.audio).toEqual({
      ...clipProbe.audio,
      frames: (clipProbe.audio?.frames ?? 0) * copies,
    });
    expect(await decodeErrors(path)).toBe('');
  }

  /** Source and recording durations agree to two frames (headers may count the last frame). */
  function expectDurationClose(probe: ProbeResult): void {
    const tolerance = 2 / CLIP.frameRate;
    expect(Math.abs(probe.durationSeconds - clipProbe.durationSeconds)).toBeLessThanOrEqual(
      tolerance,
    );
  }

  it('the clip has the frames the tests count on', () => {
    expect(clipProbe.video).toMatchObject({
      codec: 'h264',
      width: CLIP.width,
      height: CLIP.height,
    });
    expect(clipProbe.audio?.codec).toBe('aac');
    // FFmpeg ends the clip with an AVC end-of-sequence tag: a video message, not a picture.
    expect(countFrames(clip)).toEqual({
      video: clipProbe.video?.frames,
      audio: clipProbe.audio?.frames,
      sequenceEnds: 1,
    });
    expect(clip.find((f) => f.type === 'video')?.keyFrame).toBe(true);
  });

  it('publishes an H.264 + AAC clip to nginx-rtmp, which records every frame', async () => {
    const publisher = client(nginx.url('whole-clip'));
    await publisher.connect();
    expect(publisher.publishing).toBe(true);
    expect(sendTags(publisher, tags)).toBe(0);
    // Metadata goes out behind `@setDataFrame`, as encoders send it.
    const setDataFrame = encodeDataMessage(DataMessageName.SetDataFrame).length;
    const metadataTags = tags.filter((tag) => tag.type === FlvTagType.ScriptData).length;
    expect(publisher.bytesSent).toBe(
      tags.reduce((sum, tag) => sum + tag.body.length, 0) + metadataTags * setDataFrame,
    );
    await publisher.close();

    const path = await nginx.recording('whole-clip');
    await expectWholeClip(path);
    expectDurationClose(await probeMedia(path));
    // nginx's on_publish saw the publish the way it sees FFmpeg's.
    expect(nginx.notifications).toContainEqual(
      expect.objectContaining({ call: 'publish', app: 'live', name: 'whole-clip' }),
    );
  });

  it('publishes to FFmpeg listening (-listen 1), which writes every frame', async () => {
    const outPath = join(workDir, 'ffmpeg-listen.flv');
    const { publisher, run } = await publishToFfmpegListener(outPath, client);
    expect(sendTags(publisher, tags)).toBe(0);
    await publisher.close();
    const result = await run;
    // FFmpeg reports the end of its input as "Input/output error" and still exits 0.
    expect(result.code).toBe(0);
    await expectWholeClip(outPath);
    expectDurationClose(await probeMedia(outPath));
  });

  it('crosses 0xFFFFFF ms and jumps backwards: nginx gets every timestamp right', async () => {
    // Pass 1 crosses 0xFFFFFF with small deltas; pass 2 jumps back 1.5 s to a timestamp that
    // only fits an extended timestamp field, so the writer must send it as a new fmt 0 header.
    const firstOffset = 0xffffff - 1_500;
    const secondOffset = 0xffffff + 1_000;
    const sent = [...framesOf(tags, firstOffset), ...framesOf(tags, secondOffset)];
    const lastOfFirstPass = sent[clip.length - 1].timestamp;
    expect(lastOfFirstPass).toBeGreaterThan(0xffffff);
    expect(sent[clip.length].timestamp).toBeLessThan(lastOfFirstPass);
    expect(sent[clip.length].timestamp).toBeGreaterThan(0xffffff);

    const publisher = client(nginx.url('extended-backwards'));
    await publisher.connect();
    expect(sendTags(publisher, tags, firstOffset)).toBe(0);
    expect(sendTags(publisher, tags, secondOffset)).toBe(0);
    await publisher.close();

    // Every frame, in order, byte-exact, each timestamp as sent (nginx rebases to the first).
    await expectWholeClip(await nginx.recording('extended-backwards'), sent);
  });

  it('fails fast when nginx on_publish answers 403, and publishes when it answers 2xx', async () => {
    const denied = client(nginx.url(`${DENIED_PREFIX}key-1234567890`));
    const closed = new Promise<Error | undefined>((resolve) => denied.onClose(resolve));
    const { error, elapsedMs } = await connectOutcome(denied);
    expect(error).toBeInstanceOf(RtmpClientError);
    // nginx drops the connection without a status: the client reports the close as such.
    expect([RtmpErrorCode.ClientClosed, RtmpErrorCode.ClientRejected]).toContain(
      (error as RtmpClientError).code,
    );
    expect((error as Error).message).not.toContain('key-1234567890');
    expect(elapsedMs).toBeLessThan(REJECTION_DEADLINE_MS);
    expect(await closed).toBe(error);
    expect(denied.publishing).toBe(false);
    expect(nginx.notifications).toContainEqual(
      expect.objectContaining({ call: 'publish', name: `${DENIED_PREFIX}key-1234567890` }),
    );

    const allowed = client(nginx.url('allowed-key'));
    await allowed.connect();
    expect(allowed.publishing).toBe(true);
    expect(nginx.notifications).toContainEqual(
      expect.objectContaining({ call: 'publish', name: 'allowed-key' }),
    );
  });

  it('fails fast on an app nginx does not serve (nginx closes the connection)', async () => {
    const publisher = client(`rtmp://127.0.0.1:${nginx.port}/no-such-app/key`);
    const { error, elapsedMs } = await connectOutcome(publisher);
    expect(error).toBeInstanceOf(RtmpClientError);
    expect((error as RtmpClientError).code).toBe(RtmpErrorCode.ClientClosed);
    expect(elapsedMs).toBeLessThan(REJECTION_DEADLINE_MS);
    // nginx refused at connect: it never got as far as asking on_publish.
    expect(nginx.notifications.some((n) => n.app === 'no-such-app')).toBe(false);
  });

  it('publishes over RTMPS through a TLS terminator, and refuses an unknown certificate', async () => {
    const certificate = await createSelfSignedCertificate();
    terminator = await TlsTerminator.start(nginx.port, certificate);
    const url = `rtmps://127.0.0.1:${terminator.port}/live/over-tls`;

    const untrusting = client(url);
    const { error } = await connectOutcome(untrusting);
    expect(error).toBeInstanceOf(RtmpClientError);
    expect((error as RtmpClientError).code).toBe(RtmpErrorCode.ClientConnectFailed);
    expect((error as Error).message).toMatch(/self[- ]signed/);

    const publisher = client(url, { tls: { ca: certificate.cert, servername: 'localhost' } });
    await publisher.connect();
    expect(sendTags(publisher, tags)).toBe(0);
    await publisher.close();

    await expectWholeClip(await nginx.recording('over-tls'));
    // Only the trusting client got through the TLS handshake.
    expect(terminator.connections).toBe(1);
    expect(terminator.bytesForwarded).toBeGreaterThan(publisher.bytesSent);
  });

  it('refuses media once a stalled server lets the queue reach maxQueuedBytes, and stays bounded', async () => {
    const gc = exposeGc();
    const server = await StallingRtmpServer.start();
    closers.push(() => server.close());
    const maxQueuedBytes = 1024 * 1024;
    const frameBytes = 64 * 1024;
    const publisher = client(`rtmp://127.0.0.1:${server.port}/live/stalled`, { maxQueuedBytes });
    await publisher.connect();
    await server.stalled;

    gc();
    const memoryBefore = process.memoryUsage().arrayBuffers;
    // Fresh buffers every time, each watched through a WeakRef: a client that kept refused
    // frames would keep them alive.
    const refusedFrames: WeakRef<Buffer>[] = [];
    const send = (i: number): boolean => {
      const frame = Buffer.alloc(frameBytes, i % 2 === 0 ? 0x17 : 0x27);
      const sent = publisher.sendVideo(i * 40, frame);
      if (!sent) refusedFrames.push(new WeakRef(frame));
      return sent;
    };
    let attempts = 0;
    let accepted = 0;
    let highWater = 0;
    // Far more than the kernel's socket buffers and the queue can hold together.
    const attemptBytes = 64 * maxQueuedBytes + 64 * 1024 * 1024;
    while (attempts * frameBytes < attemptBytes) {
      if (send(attempts)) accepted += 1;
      attempts += 1;
      highWater = Math.max(highWater, publisher.queuedBytes);
      // Let the socket flush into the kernel now and then, as a live source would.
      if (attempts % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // A WeakRef is cleared by the first full GC after the job that created it.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const refusedAlive = refusedFrames.filter((ref) => ref.deref() !== undefined).length;
    // V8 frees ArrayBuffer memory on a helper thread, so on a busy machine the total can lag
    // the GC: look again (bounded) until it has settled under the bound, as it must.
    const memoryBound = maxQueuedBytes + frameBytes + 2 * 1024 * 1024;
    let memoryGrowth = process.memoryUsage().arrayBuffers - memoryBefore;
    for (let i = 0; i < 50 && memoryGrowth >= memoryBound; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
      memoryGrowth = process.memoryUsage().arrayBuffers - memoryBefore;
    }

    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(attempts);
    expect(publisher.writable).toBe(false);
    // One message past the limit at most: its chunk headers are 1 byte per 4096.
    const oneMessage = frameBytes + Math.ceil(frameBytes / 4096) + 12;
    expect(highWater).toBeGreaterThan(maxQueuedBytes);
    expect(highWater).toBeLessThanOrEqual(maxQueuedBytes + oneMessage);
    expect(refusedFrames.length).toBe(attempts - accepted);
    expect(refusedAlive).toBe(0);
    expect(memoryGrowth).toBeLessThan(memoryBound);
    expect(publisher.publishing).toBe(true);

    // The destination catches up: the queue drains and media is accepted again.
    server.resume();
    const deadline = performance.now() + 10_000;
    while (!publisher.writable && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(publisher.writable).toBe(true);
    expect(send(attempts)).toBe(true);
  });

  it('tells a connection lost mid-publish (reset) from a connect that failed', async () => {
    const closedPort = await freeLoopbackPort();
    const { error: refused } = await connectOutcome(
      client(`rtmp://127.0.0.1:${closedPort}/live/never`),
    );
    expect(refused).toBeInstanceOf(RtmpClientError);
    expect((refused as RtmpClientError).code).toBe(RtmpErrorCode.ClientConnectFailed);

    const server = await StallingRtmpServer.start();
    closers.push(() => server.close());
    const publisher = client(`rtmp://127.0.0.1:${server.port}/live/reset`);
    const closed = new Promise<Error | undefined>((resolve) => publisher.onClose(resolve));
    await publisher.connect();
    await server.stalled;
    expect(sendTags(publisher, tags)).toBe(0);
    server.reset();
    const cause = await closed;
    expect(cause).toBeInstanceOf(RtmpClientError);
    expect((cause as RtmpClientError).code).toBe(RtmpErrorCode.ClientClosed);
    expect(cause?.message).toMatch(/lost: .*ECONNRESET/);
    const sentBefore = publisher.bytesSent;
    expect(publisher.sendVideo(0, tags[1].body, true)).toBe(false);
    expect(publisher.bytesSent).toBe(sentBefore);
  });
});

/**
 * Starts `ffmpeg -listen 1 -i rtmp://127.0.0.1:<port>/live/key -c copy <outPath>` and connects
 * a publisher to it. FFmpeg accepts exactly one connection, so readiness is probed by the
 * publisher's own connect, retried while the port refuses; a port someone else took meanwhile
 * is picked again.
 */
async function publishToFfmpegListener(
  outPath: string,
  createClient: (url: string) => RtmpPublishClient,
): Promise<{ publisher: RtmpPublishClient; run: Promise<ProcessResult> }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freeLoopbackPort();
    const url = `rtmp://127.0.0.1:${port}/live/key`;
    const run = runProcess(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-y', '-listen', '1', '-i', url].concat([
        '-c',
        'copy',
        '-f',
        'flv',
        outPath,
      ]),
      30_000,
    );
    let exited = false;
    void run.then(() => (exited = true));
    const deadline = performance.now() + 10_000;
    for (let delay = 10; !exited; delay = Math.min(delay * 2, 200)) {
      const publisher = createClient(url);
      const { error } = await connectOutcome(publisher);
      if (error === undefined) return { publisher, run };
      const refused =
        error instanceof RtmpClientError &&
        error.code === RtmpErrorCode.ClientConnectFailed &&
        /ECONNREFUSED/.test(error.message);
      if (!refused || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const result = await run;
    if (!/Address already in use/.test(result.stderr) || attempt >= 3) {
      throw new Error(`ffmpeg -listen exited before a publisher could connect: ${result.stderr}`);
    }
  }
}
