import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  LiveStream,
  StreamDecision,
  StreamRequest,
  StreamVerdicts,
  RtmpClientError,
  RtmpErrorCode,
  RtmpPlayClient,
  RtmpServer,
  StreamEnd,
  StreamPlayer,
} from '../libs/rtmp/src';
import {
  createUserControlMessage,
  decodeCommand,
  encodeCreateStream,
  encodeDeleteStream,
  encodePlay,
  MessageType,
  NetStatus,
  NetStatusCode,
  parseStatusCommand,
  readFlvFile,
} from '../libs/rtmp/src/protocol';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, ProbeResult, publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg, probePackets } from './support/ffmpeg-play';
import { addPacket, emptySummary, MediaSummary, summarizeFlvFile } from './support/media-summary';
import { ScriptedRtmpClient } from './support/scripted-rtmp-client';
import { generateTestMedia, TestMediaSpec } from './support/test-media';

/** 5 s of H.264 (25 fps, a keyframe every second) + AAC. */
const CLIP: TestMediaSpec = {
  width: 320,
  height: 240,
  frameRate: 25,
  seconds: 5,
  gop: 25,
  videoBitrate: '400k',
};
const GOP_MS = (CLIP.gop * 1000) / CLIP.frameRate;
/**
 * 6 s at a constant 8 Mb/s: enough for a player that stops reading to fill what the kernel
 * buffers on loopback (about 4 MB) and then its own queue on the server, while the publisher
 * still has seconds to go.
 */
const HEAVY_CLIP: TestMediaSpec = {
  ...CLIP,
  seconds: 6,
  videoBitrate: '8M',
  constantBitrate: true,
};
/** Small, so the stalled player reaches it within the clip. */
const MAX_QUEUED = 256 * 1024;
const PLAYERS = 100;
/** Stream time at which the mid-stream player joins. */
const JOIN_AFTER_MS = 2_500;
const REFUSED_REASON = 'Viewing token not recognised by the test verifier';

/** FFmpeg's warnings apart from the two every RTMP output prints. */
function ffmpegComplaints(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/Failed to update header with correct/.test(line));
}

/** What a play client received: its packets summarised, and its onStatus codes in order. */
interface Received {
  summary: MediaSummary;
  readonly statuses: string[];
}

/** Summarises everything `client` receives; `onStatus` is called after each status is noted. */
function receive(client: RtmpPlayClient, onStatus?: (status: NetStatus) => void): Received {
  const received: Received = { summary: emptySummary(), statuses: [] };
  client.onPacket((packet) => addPacket(received.summary, packet));
  client.onStatus((status) => {
    received.statuses.push(status.code);
    onStatus?.(status);
  });
  return received;
}

/** Resolves at the next status `code` that `client` reports. */
function statusSeen(client: RtmpPlayClient, code: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = client.onStatus((status) => {
      if (status.code !== code) return;
      stop();
      resolve();
    });
  });
}

/**
 * Checks that `received` holds every frame `sent` carried from a video keyframe on: the first
 * video frame is a keyframe of the source, every video frame from there is present in order,
 * and audio is complete but for frames stamped before that keyframe. Returns the index (among
 * the source's video frames) of the keyframe the player started at.
 */
function expectCompleteFromKeyFrame(received: MediaSummary, sent: MediaSummary): number {
  expect(received.videoFrames).toBeGreaterThan(0);
  expect(received.keyFrameIndexes[0]).toBe(0);
  const firstVideo = received.videoTimestamps[0];
  const start = sent.videoTimestamps.indexOf(firstVideo);
  expect(sent.keyFrameIndexes).toContain(start);
  expect(received.videoTimestamps).toEqual(sent.videoTimestamps.slice(start));
  const missingAudio = sent.audioFrames - received.audioFrames;
  expect(missingAudio).toBeGreaterThanOrEqual(0);
  expect(received.audioTimestamps).toEqual(sent.audioTimestamps.slice(missingAudio));
  expect(sent.audioTimestamps.slice(0, missingAudio).every((ts) => ts <= firstVideo)).toBe(true);
  return start;
}

describe('playback', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-playback-'));
  const clipPath = join(workDir, 'clip.flv');
  const heavyPath = join(workDir, 'heavy.flv');
  const requests: StreamRequest[] = [];
  const decisions: StreamDecision[] = [];
  let server: RtmpServer;
  let port: number;
  let baseUrl: string;
  let source: MediaSummary;
  let sourceProbe: ProbeResult;
  let heavySource: MediaSummary;

  /** Resolves with the stream `name` as it starts. */
  function streamStarted(name: string): Promise<LiveStream> {
    return new Promise((resolve) => {
      const stop = server.onStreamStart((stream) => {
        if (stream.name !== name) return;
        stop();
        resolve(stream);
      });
    });
  }

  /** Resolves with the first decision (from now on) that `match` accepts. */
  function decided(match: (decision: StreamDecision) => boolean): Promise<StreamDecision> {
    return new Promise((resolve) => {
      const stop = server.onRequestDecision((decision) => {
        if (!match(decision)) return;
        stop();
        resolve(decision);
      });
    });
  }

  /** Summarises what a live stream delivers (the publisher's side), and how it ends. */
  function watch(stream: LiveStream): { summary: MediaSummary; ended: Promise<StreamEnd> } {
    const summary = emptySummary();
    stream.onPacket((packet) => addPacket(summary, packet));
    return { summary, ended: new Promise((resolve) => stream.onEnd(resolve)) };
  }

  beforeAll(async () => {
    await Promise.all([
      generateTestMedia(clipPath, CLIP),
      generateTestMedia(heavyPath, HEAVY_CLIP),
    ]);
    source = summarizeFlvFile(clipPath);
    heavySource = summarizeFlvFile(heavyPath);
    sourceProbe = await probeMedia(clipPath);
    server = new RtmpServer(
      {
        port: 0,
        host: '127.0.0.1',
        apps: ['live'],
        maxQueuedBytesPerConsumer: MAX_QUEUED,
        maxConnectionsPerAddress: PLAYERS + 20,
      },
      {
        verifyRequest: (request) => {
          requests.push(request);
          return request.action === 'play' && request.query.token === 'wrong'
            ? StreamVerdicts.reject(REFUSED_REASON)
            : StreamVerdicts.accept();
        },
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    server.onRequestDecision((decision) => decisions.push(decision));
    ({ port } = await server.listen());
    baseUrl = `rtmp://127.0.0.1:${port}/live`;
  }, 30_000);

  afterAll(async () => {
    killAllProcesses();
    await server?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('generated clips with the frames the tests count on', () => {
    for (const [clip, spec] of [
      [source, CLIP],
      [heavySource, HEAVY_CLIP],
    ] as const) {
      expect(Math.abs(clip.videoFrames - spec.seconds * spec.frameRate)).toBeLessThanOrEqual(1);
      expect(clip.keyFrameIndexes.slice(0, spec.seconds)).toEqual(
        Array.from({ length: spec.seconds }, (_, i) => i * spec.gop),
      );
    }
    expect(sourceProbe.video?.codec).toBe('h264');
    expect(sourceProbe.audio?.codec).toBe('aac');
  });

  it('FFmpeg pulls a stream that real FFmpeg publishes (-re): it waits for the publisher, starts on a keyframe and exits 0 when the publisher leaves', async () => {
    const key = 'pull-from-start';
    const out = join(workDir, 'pull.flv');
    const waiting = decided((d) => d.request.action === 'play' && d.request.streamName === key);
    const player = playWithFfmpeg(`${baseUrl}/${key}`, out);
    expect((await waiting).verdict.accepted).toBe(true);
    // Not live yet: the player is registered and waits.
    expect(server.playersOf('live', key).map((p) => p.attached)).toEqual([false]);

    const publisher = publishWithFfmpeg(clipPath, `${baseUrl}/${key}`, { realtime: true });
    const [published, played] = await Promise.all([publisher, player]);
    expect(ffmpegComplaints(published.stderr)).toEqual([]);
    expect(published.code).toBe(0);
    expect(ffmpegComplaints(played.stderr)).toEqual([]);
    expect(played.code).toBe(0);

    const probe = await probeMedia(out);
    expect(probe.video?.codec).toBe(sourceProbe.video?.codec);
    expect(probe.audio?.codec).toBe(sourceProbe.audio?.codec);
    expect(probe.video).toMatchObject({ width: CLIP.width, height: CLIP.height });
    const sourceFrames = sourceProbe.video?.frames ?? 0;
    expect(probe.video?.frames).toBeLessThanOrEqual(sourceFrames);
    expect(probe.video?.frames).toBeGreaterThanOrEqual(sourceFrames - CLIP.gop);
    const packets = await probePackets(out, 'v');
    expect(packets[0].keyFrame).toBe(true);
    // Gone from the registry once FFmpeg left.
    expect(server.playersOf('live', key)).toEqual([]);
  }, 30_000);

  it('a player joining mid-stream starts within one GOP, at the cached keyframe before it joined', async () => {
    const key = 'join-mid-stream';
    const out = join(workDir, 'mid.flv');
    const started = streamStarted(key);
    const publisher = publishWithFfmpeg(clipPath, `${baseUrl}/${key}`, { realtime: true });
    const stream = await started;
    let latest = 0;
    const midway = new Promise<void>((resolve) =>
      stream.onPacket((packet) => {
        latest = Math.max(latest, packet.timestamp);
        if (packet.type === 'video' && packet.timestamp >= JOIN_AFTER_MS) resolve();
      }),
    );
    await midway;
    // The stream time at which the server accepted the play (the verdict comes just before
    // the player is attached, in the same turn).
    const joined = decided((d) => d.request.action === 'play' && d.request.streamName === key).then(
      () => latest,
    );
    const played = await playWithFfmpeg(`${baseUrl}/${key}`, out, { copyTimestamps: true });
    const joinAt = await joined;
    expect(ffmpegComplaints(played.stderr)).toEqual([]);
    expect(played.code).toBe(0);
    expect((await publisher).code).toBe(0);

    const packets = await probePackets(out, 'v');
    const first = packets[0];
    expect(first.keyFrame).toBe(true);
    // The last keyframe before the join (from the GOP cache), not the next one after it.
    expect(first.ptsMs).toBeGreaterThan(0);
    expect(first.ptsMs).toBeLessThanOrEqual(joinAt);
    expect(joinAt - first.ptsMs).toBeLessThan(GOP_MS);
    // Everything from that keyframe on, as published.
    const received = summarizeFlvFile(out);
    const start = expectCompleteFromKeyFrame(received, source);
    expect(source.videoTimestamps[start]).toBe(first.ptsMs);
  }, 30_000);

  it("asks the verifier with action 'play', the stream name and query; a refused play fails (FFmpeg exits non-zero) and the publisher is unaffected", async () => {
    const key = 'verified-play';
    const started = streamStarted(key);
    const publisher = publishWithFfmpeg(clipPath, `${baseUrl}/${key}`, { realtime: true });
    const publishing = watch(await started);

    const refusedFfmpeg = playWithFfmpeg(
      `${baseUrl}/${key}?token=wrong`,
      join(workDir, 'refused.flv'),
    );
    const refusedClient = new RtmpPlayClient({ url: `${baseUrl}/${key}?token=wrong` });
    const refusal = await refusedClient.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    const viewer = new RtmpPlayClient({ url: `${baseUrl}/${key}?token=right` });
    const viewed = receive(viewer);
    const viewerDone = statusSeen(viewer, NetStatusCode.PlayUnpublishNotify);
    await viewer.connect();

    const refused = await refusedFfmpeg;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(REFUSED_REASON);
    expect(refusal).toBeInstanceOf(RtmpClientError);
    expect(refusal).toMatchObject({
      code: RtmpErrorCode.ClientRejected,
      serverCode: NetStatusCode.PlayFailed,
      serverDescription: REFUSED_REASON,
    });

    // The publisher went on: FFmpeg finished cleanly, every frame arrived, the viewer got it.
    const published = await publisher;
    expect(ffmpegComplaints(published.stderr)).toEqual([]);
    expect(published.code).toBe(0);
    expect(await publishing.ended).toEqual({ reason: 'unpublished' });
    expect(publishing.summary.videoTimestamps).toEqual(source.videoTimestamps);
    expect(publishing.summary.audioTimestamps).toEqual(source.audioTimestamps);
    await viewerDone;
    expectCompleteFromKeyFrame(viewed.summary, source);
    await viewer.close();

    const plays = requests.filter((r) => r.action === 'play' && r.streamName === key);
    expect(plays.map((r) => r.query.token).sort()).toEqual(['right', 'wrong', 'wrong']);
    for (const request of plays) {
      expect(request).toMatchObject({ app: 'live', streamName: key, publishType: 'live' });
    }
    const publish = requests.find((r) => r.action === 'publish' && r.streamName === key);
    expect(publish).toMatchObject({ app: 'live', query: {}, publishType: 'live' });
    const refusedVerdicts = decisions
      .filter((d) => d.request.streamName === key && !d.verdict.accepted)
      .map((d) => d.verdict);
    expect(refusedVerdicts).toEqual([
      { accepted: false, reason: REFUSED_REASON, code: 'BadName' },
      { accepted: false, reason: REFUSED_REASON, code: 'BadName' },
    ]);
  }, 30_000);

  it('a player of a stream that is not live waits; it hears Play.UnpublishNotify and Play.PublishNotify as publishers leave and come back', async () => {
    const key = 'comes-and-goes';
    const client = new RtmpPlayClient({ url: `${baseUrl}/${key}` });
    /** One summary per publisher: a new one starts at each PublishNotify. */
    const phases: MediaSummary[] = [emptySummary()];
    const received = receive(client, (status) => {
      if (status.code === NetStatusCode.PlayPublishNotify) phases.push(emptySummary());
    });
    client.onPacket((packet) => addPacket(phases[phases.length - 1], packet));
    await client.connect();
    expect(received.statuses).toEqual([NetStatusCode.PlayReset, NetStatusCode.PlayStart]);
    const [player] = server.playersOf('live', key);
    expect(player.attached).toBe(false);

    const firstLeft = statusSeen(client, NetStatusCode.PlayUnpublishNotify);
    const first = await publishWithFfmpeg(clipPath, `${baseUrl}/${key}`);
    expect(first.code).toBe(0);
    await firstLeft;
    expect(player.attached).toBe(false);

    const secondLeft = statusSeen(client, NetStatusCode.PlayUnpublishNotify);
    const second = await publishWithFfmpeg(clipPath, `${baseUrl}/${key}`);
    expect(second.code).toBe(0);
    await secondLeft;

    expect(received.statuses).toEqual([
      NetStatusCode.PlayReset,
      NetStatusCode.PlayStart,
      NetStatusCode.PlayUnpublishNotify,
      NetStatusCode.PlayPublishNotify,
      NetStatusCode.PlayUnpublishNotify,
    ]);
    expect(phases).toHaveLength(2);
    for (const phase of phases) {
      // Waiting players get each publish from its first keyframe, with its own headers.
      expect(expectCompleteFromKeyFrame(phase, source)).toBe(0);
      expect(phase.metadataPackets).toBe(1);
      expect(phase.videoSequenceHeaders).toBe(1);
      expect(phase.audioSequenceHeaders).toBe(1);
    }
    expect(received.summary.videoFrames).toBe(2 * source.videoFrames);

    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    await client.close();
    expect(await closed).toBeUndefined();
    expect(server.playersOf('live', key)).toEqual([]);
  }, 30_000);

  it('with playersWaitForPublisher: false, a player of a stream that is not live gets Play.StreamNotFound (FFmpeg exits non-zero), and players are closed when the publisher leaves', async () => {
    const notWaiting = new RtmpServer(
      { port: 0, host: '127.0.0.1', apps: ['live'], playersWaitForPublisher: false },
      {
        verifyRequest: (request) =>
          request.query.token === 'wrong'
            ? StreamVerdicts.reject(REFUSED_REASON)
            : StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    const notWaitingDecisions: StreamDecision[] = [];
    notWaiting.onRequestDecision((decision) => notWaitingDecisions.push(decision));
    const { port: otherPort } = await notWaiting.listen();
    const url = `rtmp://127.0.0.1:${otherPort}/live`;
    try {
      // Not live: FFmpeg and the play client are told so and closed, nobody is left waiting.
      const ffmpeg = await playWithFfmpeg(`${url}/nobody-here`, join(workDir, 'none.flv'));
      expect(ffmpeg.code).not.toBe(0);
      expect(ffmpeg.stderr).toContain('Stream not found');
      const missing = new RtmpPlayClient({ url: `${url}/nobody-here` });
      await expect(missing.connect()).rejects.toMatchObject({
        code: RtmpErrorCode.ClientRejected,
        serverCode: NetStatusCode.PlayStreamNotFound,
      });
      expect(notWaiting.playersOf('live', 'nobody-here')).toEqual([]);
      // Reported as refused, though the verifier accepted them.
      expect(notWaitingDecisions.map((d) => d.verdict.accepted)).toEqual([false, false]);
      // The verifier decides first: a refused viewer learns nothing about the stream.
      const refused = new RtmpPlayClient({ url: `${url}/nobody-here?token=wrong` });
      await expect(refused.connect()).rejects.toMatchObject({
        serverCode: NetStatusCode.PlayFailed,
      });

      // Live: the player plays, then is closed after Play.UnpublishNotify when FFmpeg leaves.
      const key = 'closes-with-publisher';
      const started = new Promise<void>((resolve) => {
        const stop = notWaiting.onStreamStart((stream) => {
          if (stream.name !== key) return;
          stop();
          resolve();
        });
      });
      const publisher = publishWithFfmpeg(clipPath, `${url}/${key}`, { realtime: true });
      await started;
      const viewer = new RtmpPlayClient({ url: `${url}/${key}` });
      const viewed = receive(viewer);
      const viewerClosed = new Promise<Error | undefined>((resolve) => viewer.onClose(resolve));
      await viewer.connect();
      const published = await publisher;
      expect(published.code).toBe(0);
      const cause = await viewerClosed;
      expect(viewed.statuses).toEqual([
        NetStatusCode.PlayReset,
        NetStatusCode.PlayStart,
        NetStatusCode.PlayUnpublishNotify,
      ]);
      // The server ended the connection after the notice; the client reports that as a close.
      expect(cause).toMatchObject({ code: RtmpErrorCode.ClientClosed });
      expectCompleteFromKeyFrame(viewed.summary, source);
      expect(notWaiting.playersOf('live', key)).toEqual([]);
    } finally {
      await notWaiting.close();
    }
  }, 30_000);

  it('closes a connection that stopped playing and then idles, after connectToPublishTimeoutMs', async () => {
    const timeoutMs = 300;
    const own = new RtmpServer(
      { port: 0, host: '127.0.0.1', connectToPublishTimeoutMs: timeoutMs },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    const { port: ownPort } = await own.listen();
    const client = await ScriptedRtmpClient.connect(ownPort);
    try {
      await client.connectApp('live');
      const createTxn = client.nextTransactionId();
      client.sendCommand(encodeCreateStream(createTxn));
      const streamId = (await client.waitForCommand('_result')).args[0] as number;
      client.sendCommand(
        encodePlay(client.nextTransactionId(), 'idle', { start: -1000 }),
        streamId,
        8,
      );
      expect((await client.waitForStatus()).code).toBe(NetStatusCode.PlayReset);
      expect(own.playersOf('live', 'idle')).toHaveLength(1);
      const stoppedAt = performance.now();
      client.sendCommand(encodeDeleteStream(client.nextTransactionId(), streamId));
      // Bounded: without the timer the connection would stay open for good.
      let guard: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        client.whenClosed().then(() => 'closed'),
        new Promise((resolve) => (guard = setTimeout(resolve, 20 * timeoutMs, 'still open'))),
      ]);
      clearTimeout(guard);
      expect(outcome).toBe('closed');
      expect(performance.now() - stoppedAt).toBeGreaterThanOrEqual(timeoutMs - 50);
      expect(own.playersOf('live', 'idle')).toEqual([]);
    } finally {
      await client.close();
      await own.close();
    }
  });

  it(`${PLAYERS} players on one stream all receive it, while a stalled player affects neither them nor the publisher`, async () => {
    const key = 'fan-out';
    const url = `${baseUrl}/${key}`;
    // Any negative start means live: FFmpeg's -1000 and -2000, the spec's -1.
    const starts = [-1000, -2000, -1];
    const clients = Array.from(
      { length: PLAYERS },
      (_, i) => new RtmpPlayClient({ url, start: starts[i % starts.length] }),
    );
    const received = clients.map((client) => receive(client));
    const done = clients.map((client) => statusSeen(client, NetStatusCode.PlayUnpublishNotify));
    await Promise.all(clients.map((client) => client.connect()));

    // The stalled player: completes play like any other, then never reads again.
    const stalled = await ScriptedRtmpClient.connect(port);
    await stalled.connectApp('live');
    const createTxn = stalled.nextTransactionId();
    stalled.sendCommand(encodeCreateStream(createTxn));
    const created = await stalled.waitFor(
      (m) =>
        m.typeId === MessageType.CommandAmf0 &&
        decodeCommand(m.payload).transactionId === createTxn,
    );
    const streamId = decodeCommand(created.payload).args[0] as number;
    stalled.sendCommand(
      encodePlay(stalled.nextTransactionId(), key, { start: -1000 }),
      streamId,
      8,
    );
    await stalled.waitFor(
      (m) =>
        m.typeId === MessageType.CommandAmf0 &&
        decodeCommand(m.payload).name === 'onStatus' &&
        parseStatusCommand(decodeCommand(m.payload)).status.code === NetStatusCode.PlayStart,
    );
    stalled.socket.pause();

    const players = server.playersOf('live', key);
    expect(players).toHaveLength(PLAYERS + 1);
    // Registered in arrival order: the stalled one came last.
    const stalledPlayer = players[PLAYERS] as StreamPlayer;
    const healthyPlayers = players.slice(0, PLAYERS);

    const started = streamStarted(key);
    const publishedAt = performance.now();
    const publisher = publishWithFfmpeg(heavyPath, url, { realtime: true });
    const stream = await started;
    const publishing = watch(stream);
    let stalledMaxQueued = 0;
    let healthyMaxQueued = 0;
    let droppedAtPing = -1;
    stream.onPacket(() => {
      stalledMaxQueued = Math.max(stalledMaxQueued, stalledPlayer.queuedBytes);
      for (const player of healthyPlayers) {
        healthyMaxQueued = Math.max(healthyMaxQueued, player.queuedBytes);
      }
      // Once the stalled player's queue is at the limit, far more than the 64 KiB of replies
      // a peer may leave unread, it pings: the server must still answer rather than drop it,
      // since its media is bounded on its own.
      if (droppedAtPing < 0 && stalledPlayer.queuedBytes > MAX_QUEUED) {
        droppedAtPing = stalledPlayer.stats.dropped;
        stalled.send(createUserControlMessage({ kind: 'pingRequest', timestamp: 1234 }));
      }
    });

    const published = await publisher;
    const publishMs = performance.now() - publishedAt;
    expect(ffmpegComplaints(published.stderr)).toEqual([]);
    expect(published.code).toBe(0);
    expect(await publishing.ended).toEqual({ reason: 'unpublished' });
    // Every packet the publisher sent arrived, at its own pace (-re: the clip's duration).
    expect(publishing.summary.videoTimestamps).toEqual(heavySource.videoTimestamps);
    expect(publishing.summary.audioTimestamps).toEqual(heavySource.audioTimestamps);
    expect(publishMs).toBeLessThan(HEAVY_CLIP.seconds * 1000 * 1.5);
    await Promise.all(done);

    // Every healthy player received every frame; they were waiting, so from the first keyframe.
    for (const { summary } of received) {
      expect(expectCompleteFromKeyFrame(summary, heavySource)).toBe(0);
      expect(summary.metadataPackets).toBe(1);
    }
    const framesEach = received[0].summary.videoFrames + received[0].summary.audioFrames;
    expect(new Set(healthyPlayers.map((player) => player.stats.sent))).toEqual(
      new Set([framesEach]),
    );
    // All they skipped is the audio stamped before the first keyframe, never for a full queue.
    const audioBeforeKeyFrame = heavySource.audioFrames - received[0].summary.audioFrames;
    expect(new Set(healthyPlayers.map((player) => player.stats.dropped))).toEqual(
      new Set([audioBeforeKeyFrame]),
    );

    // The stalled player: its queue stayed at the limit (plus at most the one message that
    // crossed it, with its chunk headers), it skipped media instead, and its ping did not get
    // it disconnected: it is still registered, and went on skipping after the ping.
    const largestMessage = Math.max(
      ...readFlvFile(readFileSync(heavyPath)).tags.map((tag) => tag.body.length),
    );
    const chunkHeaders = 12 + Math.ceil(largestMessage / server.options.outChunkSize);
    expect(droppedAtPing).toBeGreaterThanOrEqual(0);
    expect(stalledPlayer.stats.dropped).toBeGreaterThan(droppedAtPing);
    expect(stalledMaxQueued).toBeGreaterThanOrEqual(MAX_QUEUED);
    expect(stalledMaxQueued).toBeLessThanOrEqual(MAX_QUEUED + largestMessage + chunkHeaders);
    expect(server.playersOf('live', key)).toContain(stalledPlayer);
    expect(stalled.closed).toBe(false);
    // Nobody else ever had anything waiting on the server.
    expect(healthyMaxQueued).toBeLessThan(MAX_QUEUED);

    await Promise.all(clients.map((client) => client.close()));
    await stalled.close();
  }, 40_000);
});
