import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { filter, firstValueFrom, lastValueFrom, map, toArray } from 'rxjs';
import { RtmpServerService } from '../src';
import { CaptureLogger, LogLine } from './support/capture-logger';
import { killAllProcesses } from './support/child-processes';
import { probeMedia, publishWithFfmpeg } from './support/ffmpeg';
import { probePackets } from './support/ffmpeg-play';
import {
  GstreamerSourceSpec,
  GstreamerStopCommands,
  gstreamerComplaints,
  playWithGstreamer,
  publishWithGstreamer,
  voaacencFrames,
} from './support/gstreamer';
import { createTestAppModule, KeyStore, StreamConsumer } from './support/nest-test-app';
import { generateTestMedia, TestMediaSpec } from './support/test-media';

/*
 * GStreamer 1.22 (Debian's gstreamer1.0-plugins-bad: rtmp2sink, rtmp2src) against RtmpModule in
 * a Nest application (test/support/nest-test-app.ts: a DI-built verifier that accepts `rx-`
 * keys, a service that records every stream to FLV). Everything waits on events (process exit,
 * verdicts, packets() completion), never on sleeps.
 */

/** 2 s of 320x240 at 25 fps, a keyframe every second. */
const PUBLISHED: GstreamerSourceSpec = {
  width: 320,
  height: 240,
  frameRate: 25,
  videoFrames: 50,
  gop: 25,
  sampleRate: 48_000,
  // Whole AAC frames per buffer: the count voaacenc makes is then exact (see voaacencFrames).
  samplesPerBuffer: 1024,
  // 2 s of tone, to the next whole frame: 96,000 samples are 93.75 frames.
  audioBuffers: 94,
};

/** What FFmpeg publishes for GStreamer to play: 2 s, 25 fps, a keyframe every second. */
const PLAYED: TestMediaSpec = {
  width: 320,
  height: 240,
  frameRate: 25,
  seconds: 2,
  gop: 25,
  videoBitrate: '300k',
};

/** What the application logged as a warning or an error. */
function trouble(lines: readonly LogLine[]): string[] {
  return lines
    .filter((line) => line.level === 'warn' || line.level === 'error' || line.level === 'fatal')
    .map((line) => `${line.level} ${line.message}`);
}

describe('GStreamer interop (rtmp2sink, rtmp2src)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-gstreamer-'));
  const clipPath = join(workDir, 'played.flv');
  const logger = new CaptureLogger();
  let app: INestApplicationContext;
  let rtmp: RtmpServerService;
  let keys: KeyStore;
  let consumer: StreamConsumer;
  let baseUrl: string;

  beforeAll(async () => {
    await generateTestMedia(clipPath, PLAYED);
    app = await NestFactory.createApplicationContext(
      createTestAppModule({
        recordDir: join(workDir, 'recordings'),
        logger,
        verifierTimeoutMs: 1_000,
      }),
      { logger: false },
    );
    await app.init();
    rtmp = app.get(RtmpServerService);
    keys = app.get(KeyStore);
    consumer = app.get(StreamConsumer);
    const address = rtmp.address();
    if (address === undefined) throw new Error('the RTMP server is not listening');
    baseUrl = `rtmp://127.0.0.1:${address.port}/live`;
  }, 30_000);

  afterAll(async () => {
    killAllProcesses();
    await app?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  // rtmp2sink's stop commands carry the stream name as a string, deleteStream's too, where the
  // server used to require a number: it refused the command and dropped the connection, and
  // rtmp2sink failed at EOS with "connection closed remotely" (when the close reached it before
  // it had closed by itself). deleteStream alone is checked too: then it is what ends the publish.
  it.each<[string, GstreamerStopCommands | undefined]>([
    ['default', undefined],
    ['deletestream', 'deletestream'],
  ])(
    'rtmp2sink publishes (stop commands: %s) and ends cleanly at EOS; the recording holds every frame',
    async (label, stopCommands) => {
      const name = `rx-gstreamer-${label}`;
      const logged = logger.lines.length;
      const result = await publishWithGstreamer(PUBLISHED, `${baseUrl}/${name}`, { stopCommands });
      expect(gstreamerComplaints(result)).toEqual([]);
      expect(result.code).toBe(0);
      expect(keys.callsFor(name)).toHaveLength(1);

      const consumed = await consumer.streamNamed(name);
      expect(await consumed.completed).toBe('complete');
      // With the default commands, FCUnpublish alone already ends the publish as `unpublished`,
      // and rtmp2sink may close before a refusal of the deleteStream after it reaches it (it
      // then exits 0): only the server's log tells. The server reads the commands before
      // rtmp2sink's close, so a refusal is logged by the time gst-launch has exited.
      expect(consumed.stream.ended).toEqual({ reason: 'unpublished' });
      expect(trouble(logger.lines.slice(logged))).toEqual([]);

      const probe = await probeMedia(await consumed.recording);
      expect(probe.video).toMatchObject({
        codec: 'h264',
        frames: PUBLISHED.videoFrames,
        width: PUBLISHED.width,
        height: PUBLISHED.height,
      });
      expect(probe.audio).toMatchObject({ codec: 'aac', frames: voaacencFrames(PUBLISHED) });
    },
  );

  it('rtmp2src plays a stream FFmpeg publishes, every frame from the first; flvdemux, h264parse and aacparse take them all', async () => {
    const name = 'rx-gstreamer-played';
    const output = join(workDir, 'gstreamer-played.mkv');
    const logged = logger.lines.length;
    const sourceProbe = await probeMedia(clipPath);
    const playAccepted = firstValueFrom(
      rtmp.streamRequests$.pipe(
        filter((d) => d.request.action === 'play' && d.request.streamName === name),
      ),
    );
    // Every frame the publisher sends, in the order the server got them (subscribed before
    // the stream exists: from its very first packet). Not frames: metadata, sequence headers,
    // and the AVC end of sequence FFmpeg sends last (a video message, but no picture; rtmp2src
    // drops it anyway, as any video message under 6 bytes).
    const arrivals = lastValueFrom(
      rtmp.packets('live', name).pipe(
        filter(
          (packet) =>
            packet.type !== 'metadata' &&
            !packet.tag.isSequenceHeader &&
            !(packet.type === 'video' && packet.tag.isSequenceEnd),
        ),
        map((packet) => ({
          type: packet.type,
          timestamp: packet.timestamp,
          keyFrame: packet.type === 'video' && packet.tag.isKeyFrame,
        })),
        toArray(),
      ),
    );

    // The player comes first and waits for the publisher: it is registered in the same turn
    // as its verdict, so FFmpeg, started after the verdict, cannot get a frame in before it.
    const player = playWithGstreamer(`${baseUrl}/${name}`, output);
    expect((await playAccepted).verdict.accepted).toBe(true);
    const published = await publishWithFfmpeg(clipPath, `${baseUrl}/${name}`);
    expect(published.code).toBe(0);

    // rtmp2src ends (EOS) at the StreamEOF the server sends when the publisher leaves.
    const played = await player;
    expect(gstreamerComplaints(played)).toEqual([]);
    expect(played.code).toBe(0);
    expect(keys.callsFor(name)).toHaveLength(2);
    expect(trouble(logger.lines.slice(logged))).toEqual([]);

    // The server got every frame of the clip.
    const sent = await arrivals;
    expect(sent.filter((frame) => frame.type === 'video')).toHaveLength(
      sourceProbe.video?.frames ?? -1,
    );
    expect(sent.filter((frame) => frame.type === 'audio')).toHaveLength(
      sourceProbe.audio?.frames ?? -1,
    );

    // A waiting player is owed every frame: it was attached before the first one, so it starts
    // with it, although that is audio (FFmpeg shifts the clip by AAC's priming, 1024 samples or
    // 23 ms: the first audio frame is at 0, the first picture at 23 ms).
    expect(sent[0]).toMatchObject({ type: 'audio', timestamp: 0 });
    const owed = sent;

    // The file holds the frames by time from its first one (flvdemux and matroskamux start it
    // at 0). rtmp2src hands each message from its connection thread to its streaming thread
    // through a single slot, and clears that slot when StreamEOF stops the connection thread
    // (gstrtmp2src.c, GStreamer 1.22): the last message before StreamEOF is lost whenever the
    // streaming thread has not taken it yet, here about one run in two. So the file holds
    // every frame owed, or every frame but that last one; nothing else.
    const timeline = (frames: typeof owed) => ({
      video: frames.filter((f) => f.type === 'video').map((f) => f.timestamp - owed[0].timestamp),
      audio: frames.filter((f) => f.type === 'audio').map((f) => f.timestamp - owed[0].timestamp),
    });
    const file = {
      video: (await probePackets(output, 'v')).map((packet) => packet.ptsMs),
      audio: (await probePackets(output, 'a')).map((packet) => packet.ptsMs),
    };
    expect([timeline(owed), timeline(owed.slice(0, -1))]).toContainEqual(file);

    // And every one of them decodes.
    const probe = await probeMedia(output);
    expect(probe.video).toMatchObject({
      codec: 'h264',
      frames: file.video.length,
      width: PLAYED.width,
      height: PLAYED.height,
    });
    expect(probe.audio).toMatchObject({ codec: 'aac', frames: file.audio.length });
  });
});
