import { StreamCount } from './servers/ipc';
import { BenchClip, publish, streamIntact } from './support/media';
import { ProcessMeter } from './support/proc';
import { CapturedSession, replayPublish } from './support/replay';
import { Rounds } from './support/server-runner';
import { BenchServer, countsStreams, ServerKind } from './support/servers';
import { GB, MB, median, settle } from './support/util';

const FFMPEG_TIMEOUT_MS = 180_000;
const REPLAY_TIMEOUT_MS = 180_000;

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
  /** Median over rounds of CPU seconds / GB (results saved before 2026-12: total over total). */
  readonly cpuSecondsPerGb: number;
  readonly peakRss: number;
}

/** A round's CPU seconds per GB. */
export const roundCpuPerGb = (round: IngestRound): number => round.cpuSeconds / (round.bytes / GB);

function summarize(kind: ServerKind, rounds: IngestRound[]): IngestResult {
  return {
    kind,
    rounds,
    mbPerSecond: median(rounds.map((round) => round.bytes / MB / round.seconds)),
    cpuSecondsPerGb: median(rounds.map(roundCpuPerGb)),
    peakRss: Math.max(...rounds.map((round) => round.peakRss)),
  };
}

async function lastStream(server: BenchServer, name: string): Promise<StreamCount | undefined> {
  const { streams } = await server.counters();
  return streams.filter((stream) => stream.name === name).at(-1);
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

/** Sends once, unmeasured, so that every server is measured warm (JIT-compiled, buffers allocated). */
async function warmUp(server: BenchServer, send: () => Promise<Sent>): Promise<void> {
  await send();
  await settle(server);
}

/**
 * One measured round: CPU (to the nanosecond, see ProcessMeter.preciseCpu) and peak RSS of the
 * server from the send's start until it has read everything (see `settle`).
 */
async function measureRound(
  server: BenchServer,
  clip: BenchClip,
  send: () => Promise<Sent>,
): Promise<IngestRound> {
  await server.forgetStreams();
  const before = (await server.counters()).bytesIn;
  const meter = new ProcessMeter(server.pid);
  const sent = await send();
  await settle(server);
  const cpuSeconds = meter.preciseCpu();
  const { peakRss } = meter.memory();
  const bytesIn = (await server.counters()).bytesIn - before;
  return {
    bytesIn,
    bytes: sent.bytes ?? bytesIn,
    seconds: sent.seconds,
    cpuSeconds,
    peakRss,
    completed: sent.completed,
    intact: countsStreams(server.kind)
      ? streamIntact(clip, await lastStream(server, sent.stream))
      : undefined,
  };
}

/**
 * Scenario 1: FFmpeg publishes a clip `clip.plays` times over with `-c copy` as fast as it can
 * (no -re): a quarter of that unmeasured, then `count` rounds. The wall time runs from spawning
 * FFmpeg to its exit (so it includes FFmpeg's start-up, about 0.1 s); the rate is the bytes the
 * server read over it.
 */
export function floodRounds(clip: BenchClip, count: number): Rounds<IngestRound, IngestResult> {
  const plays = clip.plays ?? 1;
  const send = async (server: BenchServer, round: number): Promise<Sent> => {
    const stream = `flood-${round}`;
    const started = performance.now();
    const run = await publish(clip.path, server.url(stream), {
      realtime: false,
      plays: round === 0 ? Math.ceil(plays / 4) : plays,
      timeoutMs: FFMPEG_TIMEOUT_MS,
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) {
      process.stderr.write(`${server.kind} flood: ffmpeg ${run.code}: ${run.stderr}\n`);
    }
    return { seconds, completed: run.code === 0, stream };
  };
  return {
    count,
    warmUp: (server) => warmUp(server, () => send(server, 0)),
    round: (server, index) => measureRound(server, clip, () => send(server, index + 1)),
    summarize: (server, rounds) => summarize(server.kind, rounds),
  };
}

export interface ReplayResults {
  readonly at4096: IngestResult;
  readonly at128: IngestResult;
}

/**
 * Scenario 1b: a recorded FFmpeg session replayed as fast as the server reads it (see
 * replayPublish), at chunk size 4096 and then 128 on the same server process, each after one
 * unmeasured replay: `count` rounds of each. The rate is the media bytes over the time from
 * the first of them to the server's close, which comes once it has read them all. The Node
 * floor gets the same bytes raw.
 */
export function replayRounds(
  sessions: { at4096: CapturedSession; at128: CapturedSession },
  clip: BenchClip,
  count: number,
): Rounds<IngestRound, ReplayResults> {
  const send = async (server: BenchServer, session: CapturedSession): Promise<Sent> => {
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
  };
  const sessionOf = (index: number): CapturedSession =>
    index < count ? sessions.at4096 : sessions.at128;
  return {
    count: 2 * count,
    warmUp: (server) => warmUp(server, () => send(server, sessions.at4096)),
    round: async (server, index) => {
      const session = sessionOf(index);
      if (index === count) await warmUp(server, () => send(server, session));
      return measureRound(server, clip, () => send(server, session));
    },
    summarize: (server, rounds) => ({
      at4096: summarize(server.kind, rounds.slice(0, count)),
      at128: summarize(server.kind, rounds.slice(count)),
    }),
  };
}
