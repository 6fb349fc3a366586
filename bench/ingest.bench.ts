import { runProcess } from '../test/support/child-processes';
import { BenchClip, ffmpegPublishArgs } from './support/media';
import { ProcessMeter } from './support/proc';
import { CapturedSession, replayPublish } from './support/replay';
import { BenchServer, ServerKind } from './support/servers';
import { GB, MB, median, settle } from './support/util';
import { StreamCount } from './servers/ipc';

const FFMPEG_TIMEOUT_MS = 180_000;
const REPLAY_TIMEOUT_MS = 180_000;

/** Whether a server's count of a stream matches the clip; undefined where it counts nothing. */
export function streamIntact(clip: BenchClip, stream: StreamCount | undefined): boolean {
  return (
    stream !== undefined &&
    stream.audio === clip.audio &&
    stream.video === clip.video &&
    stream.metadata === clip.metadata
  );
}

export interface IngestRound {
  /** Bytes the server read from the socket during the round. */
  readonly bytesIn: number;
  /** Bytes the measured rate is taken over (the wire for FFmpeg, the media part for replays). */
  readonly bytes: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRss: number;
  /** FFmpeg exited 0, or the replay was read to the end. */
  readonly completed: boolean;
  /** Every packet counted by the server (ours and node-media-server), else undefined. */
  readonly intact: boolean | undefined;
}

export interface IngestResult {
  readonly kind: ServerKind;
  readonly rounds: readonly IngestRound[];
  /** Median over rounds of bytes / wall seconds. */
  readonly mbPerSecond: number;
  /** Total CPU seconds over total GB. */
  readonly cpuSecondsPerGb: number;
  readonly peakRss: number;
}

function summarize(kind: ServerKind, rounds: IngestRound[]): IngestResult {
  const bytes = rounds.reduce((sum, round) => sum + round.bytes, 0);
  const cpu = rounds.reduce((sum, round) => sum + round.cpuSeconds, 0);
  return {
    kind,
    rounds,
    mbPerSecond: median(rounds.map((round) => round.bytes / MB / round.seconds)),
    cpuSecondsPerGb: cpu / (bytes / GB),
    peakRss: Math.max(...rounds.map((round) => round.peakRss)),
  };
}

async function lastStream(server: BenchServer, name: string): Promise<StreamCount | undefined> {
  const { streams } = await server.counters();
  return streams.filter((stream) => stream.name === name).at(-1);
}

/** Whether the server counts packets per stream (ours and node-media-server do). */
function countsPackets(server: BenchServer): boolean {
  return server.kind !== 'nginx-rtmp' && server.kind !== 'node-floor';
}

/** What one round sends, and whether it got through. */
interface Sent {
  /** The bytes the rate is taken over; undefined: the bytes the server read. */
  readonly bytes?: number;
  /** Wall seconds the rate is taken over. */
  readonly seconds: number;
  readonly completed: boolean;
  /** The stream the server should have counted. */
  readonly stream: string;
}

/**
 * Runs `send` once unmeasured (so every server is measured warm: JIT-compiled, buffers
 * allocated), then `rounds` times measured: CPU and peak RSS of the server over each round,
 * up to when it has read everything (see `settle`).
 */
async function measureRounds(
  server: BenchServer,
  clip: BenchClip,
  rounds: number,
  send: (round: number) => Promise<Sent>,
): Promise<IngestResult> {
  await send(0);
  await settle(server);
  const results: IngestRound[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    await server.forgetStreams();
    const before = (await server.counters()).bytesIn;
    const meter = new ProcessMeter(server.pid);
    const sent = await send(round);
    await settle(server);
    const cpuSeconds = meter.cpu();
    const { peakRss } = meter.memory();
    const bytesIn = (await server.counters()).bytesIn - before;
    const counted = countsPackets(server);
    results.push({
      bytesIn,
      bytes: sent.bytes ?? bytesIn,
      seconds: sent.seconds,
      cpuSeconds,
      peakRss,
      completed: sent.completed,
      intact: counted ? streamIntact(clip, await lastStream(server, sent.stream)) : undefined,
    });
  }
  return summarize(server.kind, results);
}

/**
 * Scenario 1: FFmpeg publishes the flood clip with `-c copy` as fast as it can (no -re). The
 * wall time runs from spawning FFmpeg to its exit (so it includes FFmpeg's start-up, about
 * 0.1 s); the rate is the bytes the server read over it.
 */
export function benchFlood(
  server: BenchServer,
  clip: BenchClip,
  rounds: number,
): Promise<IngestResult> {
  return measureRounds(server, clip, rounds, async (round) => {
    const stream = `flood-${round}`;
    const started = performance.now();
    const run = await runProcess(
      'ffmpeg',
      ffmpegPublishArgs(clip.path, server.url(stream), false),
      FFMPEG_TIMEOUT_MS,
    );
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0)
      process.stderr.write(`${server.kind} flood: ffmpeg ${run.code}: ${run.stderr}\n`);
    return { seconds, completed: run.code === 0, stream };
  });
}

/**
 * Scenario 1b: a recorded FFmpeg session replayed as fast as the server reads it (see
 * replayPublish). The rate is the media bytes over the time from the first of them to the
 * server's close, which comes once it has read them all. The Node floor gets the same bytes
 * raw.
 */
export function benchReplay(
  server: BenchServer,
  session: CapturedSession,
  clip: BenchClip,
  rounds: number,
): Promise<IngestResult> {
  return measureRounds(server, clip, rounds, async () => {
    try {
      const replay = await replayPublish(server.port, session, REPLAY_TIMEOUT_MS, {
        raw: server.kind === 'node-floor',
      });
      return {
        bytes: replay.mediaBytes,
        seconds: replay.seconds,
        completed: true,
        stream: 'capture',
      };
    } catch (error) {
      process.stderr.write(`${server.kind} replay ${session.chunkSize}: ${String(error)}\n`);
      return { seconds: NaN, completed: false, stream: 'capture' };
    }
  });
}
