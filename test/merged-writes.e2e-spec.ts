import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MediaPacket, RtmpPlayClient, RtmpServer, StreamVerdicts } from '../libs/rtmp/src';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg, probePackets } from './support/ffmpeg-play';
import { summarizeFlvFile } from './support/media-summary';
import { generateTestMedia, TestMediaSpec } from './support/test-media';

/** 4 s of H.264 (25 fps, a keyframe every second) + AAC. */
const CLIP: TestMediaSpec = {
  width: 320,
  height: 240,
  frameRate: 25,
  seconds: 4,
  gop: 25,
  videoBitrate: '300k',
};
const MERGE_MS = 100;
const LIBRARY_PLAYERS = 20;

/** Write syscalls this process has made so far (Linux). */
function writeSyscalls(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  return Number(/^syscw: (\d+)$/m.exec(io)?.[1]);
}

/**
 * `playerWriteMergeMs`: players' media written together, one write per player per interval.
 * Real FFmpeg publishes and plays; the library's play clients count what they get.
 */
describe('merged writes to players (playerWriteMergeMs)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-merged-'));
  const clipPath = join(workDir, 'clip.flv');
  let server: RtmpServer;
  let baseUrl: string;

  beforeAll(async () => {
    await generateTestMedia(clipPath, CLIP);
    server = new RtmpServer(
      { port: 0, host: '127.0.0.1', playerWriteMergeMs: MERGE_MS },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    const { port } = await server.listen();
    baseUrl = `rtmp://127.0.0.1:${port}/live`;
  }, 30_000);

  /** Resolves once `count` plays have started from now on. */
  function playStarts(count: number): Promise<void> {
    let started = 0;
    return new Promise((resolve) => {
      const stop = server.onPlayStart(() => {
        if ((started += 1) < count) return;
        stop();
        resolve();
      });
    });
  }

  afterAll(async () => {
    killAllProcesses();
    await server?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('FFmpeg players get every frame from the first keyframe, and library players every message in order, with far fewer writes than messages', async () => {
    const key = 'merged';
    const source = summarizeFlvFile(clipPath);
    const outputs = [join(workDir, 'a.flv'), join(workDir, 'b.flv')];
    const allPlaying = playStarts(LIBRARY_PLAYERS + outputs.length);
    const ffmpegPlayers = outputs.map((out) => playWithFfmpeg(`${baseUrl}/${key}`, out));
    const received: MediaPacket[][] = [];
    const clients = Array.from({ length: LIBRARY_PLAYERS }, () => {
      const packets: MediaPacket[] = [];
      received.push(packets);
      const client = new RtmpPlayClient({ url: `${baseUrl}/${key}` });
      client.onPacket((packet) => packets.push(packet));
      return client;
    });
    await Promise.all(clients.map((client) => client.connect()));
    // Every player waits for the stream: all of it reaches each one.
    await allPlaying;

    const writesBefore = writeSyscalls();
    const published = await publishWithFfmpeg(clipPath, `${baseUrl}/${key}`, { realtime: true });
    expect(published.code).toBe(0);
    const played = await Promise.all(ffmpegPlayers);
    const writes = writeSyscalls() - writesBefore;

    for (const result of played) expect(result.code).toBe(0);
    const sourceProbe = await probeMedia(clipPath);
    for (const out of outputs) {
      const probe = await probeMedia(out);
      expect(probe.video?.frames).toBe(sourceProbe.video?.frames);
      expect(probe.audio?.codec).toBe('aac');
      expect((await probePackets(out, 'v'))[0].keyFrame).toBe(true);
    }

    for (const packets of received) {
      const video = packets.filter((packet) => packet.type === 'video');
      const audio = packets.filter((packet) => packet.type === 'audio');
      // The sequence headers, then every frame the publisher sent.
      expect(video.length).toBe(source.videoFrames + 1);
      expect(audio.length).toBe(source.audioFrames + 1);
      const timestamps = video.map((packet) => packet.timestamp);
      expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    }
    const messagesToPlayers = received.reduce((sum, packets) => sum + packets.length, 0);
    // Unmerged, each of those messages is a write of its own; merged, a player gets one write
    // per interval in which it had media (about 10 a second here).
    expect(writes).toBeLessThan(messagesToPlayers / 3);
    await Promise.all(clients.map((client) => client.close()));
  }, 60_000);
});
