import { RtmpPlayClient } from '../libs/rtmp/src/client/rtmp-play-client';
import { NetStatusCode } from '../libs/rtmp/src/protocol/command/net-status-code';
import { runProcess } from '../test/support/child-processes';
import { streamIntact } from './ingest.bench';
import { ServerCounters, StreamCount } from './servers/ipc';
import { BenchClip, ffmpegPublishArgs } from './support/media';
import { processMemory } from './support/proc';
import { BenchServer } from './support/servers';
import { MB, progress, sleep } from './support/util';

/** An FFmpeg publish of the 30 s clip that runs past this is killed (and counted as failed). */
const PUBLISH_TIMEOUT_MS = 120_000;
/** A publish shorter than this failed early: its slot waits a second instead of spinning. */
const EARLY_EXIT_MS = 5_000;
/** How long a player waits before reconnecting after a failed connect. */
const PLAY_RETRY_MS = 1_000;
/** Publishes that were not intact, and FFmpeg errors, kept as examples for the report. */
const EXAMPLES = 5;

export interface SoakOptions {
  readonly minutes: number;
  /** Publisher slots, each republishing one stream name. */
  readonly slots: number;
  /** Delay between the first publishes of successive slots. */
  readonly staggerMs: number;
  readonly sampleEveryMs: number;
  /** A post-full-GC sample every this many regular samples. */
  readonly gcEverySamples: number;
  /** One RtmpPlayClient per stream, in this process, reconnecting after each publish. */
  readonly players: boolean;
}

/** One regular sample of the server: nothing forced, as an operator's monitoring would see it. */
export interface SoakSample {
  /** Seconds since the first publish started. */
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly youngGeneration: number;
  /** Streams live on the server. */
  readonly liveStreams: number;
  readonly connections: number;
  /** FFmpeg publishes started so far. */
  readonly publishes: number;
}

/** Taken right after a full GC in the server (its `gc` request), once a minute. */
export interface GcSample {
  readonly at: number;
  readonly minute: number;
  /** heapUsed + external after the GC. */
  readonly heap: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
}

export interface PlaySummary {
  /** Plays that got NetStream.Play.Start. */
  readonly sessions: number;
  /** Of those, plays that received video. */
  readonly withVideo: number;
  /** Of those, plays waiting for the next publish when the soak ended (closed by the bench). */
  readonly waitingAtEnd: number;
  readonly connectFailures: number;
  /** Connections the server or the network closed, other than after UnpublishNotify. */
  readonly unexpectedCloses: number;
  readonly audioPackets: number;
  readonly videoPackets: number;
  readonly metadataPackets: number;
  readonly errors: readonly string[];
}

export interface SoakResult {
  readonly options: SoakOptions;
  readonly samples: readonly SoakSample[];
  readonly gcSamples: readonly GcSample[];
  /** FFmpeg publishes started, and how they exited ("0", "1", "signal SIGKILL"...). */
  readonly publishes: number;
  readonly exitCodes: Readonly<Record<string, number>>;
  readonly ffmpegErrors: readonly string[];
  /** Publishes the server counted to their end, and of those, the ones with every packet. */
  readonly judged: number;
  readonly intact: number;
  readonly notIntact: readonly StreamCount[];
  readonly players: PlaySummary | undefined;
  /** After the last publishes ended and the players left: RSS, and post-GC heap. */
  readonly drained: { readonly rss: number; readonly heap: number; readonly connections: number };
  /** Seconds from the first publish to the end of the last. */
  readonly seconds: number;
}

/** Mutable tallies of the publish slots and players. */
class Tally {
  publishes = 0;
  readonly exitCodes: Record<string, number> = {};
  readonly ffmpegErrors: string[] = [];
  judged = 0;
  intact = 0;
  readonly notIntact: StreamCount[] = [];
  playSessions = 0;
  playsWithVideo = 0;
  playsWaitingAtEnd = 0;
  connectFailures = 0;
  unexpectedCloses = 0;
  audioPackets = 0;
  videoPackets = 0;
  metadataPackets = 0;
  readonly playErrors: string[] = [];

  exited(code: number | null, signal: string | null, stderr: string): void {
    const key = code === null ? `signal ${signal}` : String(code);
    this.exitCodes[key] = (this.exitCodes[key] ?? 0) + 1;
    if (code !== 0 && this.ffmpegErrors.length < EXAMPLES) {
      this.ffmpegErrors.push(`${key}: ${stderr.trim().split('\n').slice(-2).join(' / ')}`);
    }
  }

  playError(error: unknown): void {
    if (this.playErrors.length < EXAMPLES) this.playErrors.push(String(error));
  }
}

/**
 * The soak of issue 7: `slots` FFmpeg publishers, each `-re -c copy` of the clip to a stream
 * name of its own and started again as soon as it exits (so the same key republishes every
 * clip length), the slots' first publishes `staggerMs` apart so the restarts spread; for
 * `minutes`, then the running publishes finish. Optionally one player per stream.
 *
 * Every `sampleEveryMs`, the server's RSS (from /proc) and V8 figures (over IPC); every
 * `gcEverySamples` samples, the same after two full GCs. Each counters reply also says which
 * publishes ended, and with how many packets: every one is judged against the clip once (the
 * server forgets only the ended streams a reply has shown).
 */
export async function runSoak(
  server: BenchServer,
  clip: BenchClip,
  options: SoakOptions,
): Promise<SoakResult> {
  const tally = new Tally();
  const samples: SoakSample[] = [];
  const gcSamples: GcSample[] = [];
  const names = Array.from({ length: options.slots }, (_, i) => `soak-${i + 1}`);
  let startedAt = performance.now();
  const elapsed = (): number => (performance.now() - startedAt) / 1000;

  /**
   * Counters after two full GCs in a row: the first leaves the memory of the Buffers it found
   * dead counted in `external` (tens of MB here), the second releases it.
   */
  const fullGc = async (): Promise<ServerCounters> => {
    await judgeEnded(await server.gcThenCounters());
    return server.gcThenCounters();
  };

  /** Judges the publishes a counters reply shows ended, then lets the server forget them. */
  const judgeEnded = async (counters: ServerCounters): Promise<void> => {
    for (const stream of counters.streams) {
      if (stream.ended === undefined) continue;
      tally.judged += 1;
      if (streamIntact(clip, stream)) tally.intact += 1;
      else if (tally.notIntact.length < EXAMPLES) tally.notIntact.push(stream);
    }
    await server.forgetStreams();
  };

  const sample = async (): Promise<void> => {
    const counters = await server.counters();
    const rss = processMemory(server.pid).rss;
    samples.push({
      at: elapsed(),
      rss,
      heapUsed: counters.heapUsed ?? NaN,
      external: counters.external ?? NaN,
      arrayBuffers: counters.arrayBuffers ?? NaN,
      youngGeneration: counters.youngGeneration,
      liveStreams: counters.streams.filter((stream) => stream.ended === undefined).length,
      connections: counters.connections,
      publishes: tally.publishes,
    });
    await judgeEnded(counters);
  };
  const gcSample = async (minute: number): Promise<GcSample> => {
    const counters = await fullGc();
    const taken: GcSample = {
      at: elapsed(),
      minute,
      heap: counters.heapAndExternal,
      heapUsed: counters.heapUsed ?? NaN,
      external: counters.external ?? NaN,
      rss: processMemory(server.pid).rss,
    };
    await judgeEnded(counters);
    return taken;
  };

  // Minute 0: the server before the first publish.
  await sample();
  gcSamples.push(await gcSample(0));

  startedAt = performance.now();
  const deadline = startedAt + options.minutes * 60_000;
  const publishing = names.map(async (name, slot) => {
    await sleep(slot * options.staggerMs);
    while (performance.now() < deadline) {
      tally.publishes += 1;
      const started = performance.now();
      const run = await runProcess(
        'ffmpeg',
        ffmpegPublishArgs(clip.path, server.url(name), true),
        PUBLISH_TIMEOUT_MS,
      );
      tally.exited(run.code, run.signal, run.stderr);
      if (performance.now() - started < EARLY_EXIT_MS) await sleep(1_000);
    }
  });

  let stopPlaying = false;
  const players = new Set<RtmpPlayClient>();
  const playing = options.players
    ? names.map((name) => play(server.url(name), tally, players, () => stopPlaying))
    : [];

  const totalSamples = Math.round((options.minutes * 60_000) / options.sampleEveryMs);
  for (let index = 1; index <= totalSamples; index += 1) {
    await sleep(Math.max(0, startedAt + index * options.sampleEveryMs - performance.now()));
    await sample();
    if (index % options.gcEverySamples !== 0) continue;
    const minute = (index * options.sampleEveryMs) / 60_000;
    const taken = await gcSample(minute);
    gcSamples.push(taken);
    const last = samples[samples.length - 1];
    progress(
      `minute ${minute}: RSS ${(last.rss / MB).toFixed(1)} MB, post-GC heap ` +
        `${(taken.heap / MB).toFixed(1)} MB, live ${last.liveStreams}, publishes ` +
        `${tally.publishes}, intact ${tally.intact}/${tally.judged}` +
        (options.players ? `, plays ${tally.playSessions}` : ''),
    );
  }

  progress('duration reached: letting the running publishes finish');
  await Promise.all(publishing);
  const seconds = elapsed();
  stopPlaying = true;
  await Promise.all([...players].map((client) => client.close()));
  await Promise.all(playing);
  // Let the server see the last closes, then count the last publishes.
  await sleep(2_000);
  await judgeEnded(await server.counters());
  const idle = await fullGc();
  await judgeEnded(idle);

  return {
    options,
    samples,
    gcSamples,
    publishes: tally.publishes,
    exitCodes: tally.exitCodes,
    ffmpegErrors: tally.ffmpegErrors,
    judged: tally.judged,
    intact: tally.intact,
    notIntact: tally.notIntact,
    players: options.players
      ? {
          sessions: tally.playSessions,
          withVideo: tally.playsWithVideo,
          waitingAtEnd: tally.playsWaitingAtEnd,
          connectFailures: tally.connectFailures,
          unexpectedCloses: tally.unexpectedCloses,
          audioPackets: tally.audioPackets,
          videoPackets: tally.videoPackets,
          metadataPackets: tally.metadataPackets,
          errors: tally.playErrors,
        }
      : undefined,
    drained: {
      rss: processMemory(server.pid).rss,
      heap: idle.heapAndExternal,
      connections: idle.connections,
    },
    seconds,
  };
}

/**
 * One player of one stream name, for as long as `stopped()` is false: plays (waiting on the
 * server while no publisher is live), and when the publisher leaves (Play.UnpublishNotify)
 * closes and plays again on a new connection, so each publish gets a player session of its own.
 */
async function play(
  url: string,
  tally: Tally,
  clients: Set<RtmpPlayClient>,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    const client = new RtmpPlayClient({ url, onListenerError: (error) => tally.playError(error) });
    clients.add(client);
    let publisherLeft = false;
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    client.onStatus((status) => {
      if (status.code !== NetStatusCode.PlayUnpublishNotify) return;
      publisherLeft = true;
      void client.close();
    });
    try {
      await client.connect();
    } catch (error) {
      clients.delete(client);
      if (stopped()) return;
      tally.connectFailures += 1;
      tally.playError(error);
      await closed;
      await sleep(PLAY_RETRY_MS);
      continue;
    }
    tally.playSessions += 1;
    const cause = await closed;
    clients.delete(client);
    const { audioPackets, videoPackets, metadataPackets } = client.stats;
    tally.audioPackets += audioPackets;
    tally.videoPackets += videoPackets;
    tally.metadataPackets += metadataPackets;
    if (videoPackets > 0) tally.playsWithVideo += 1;
    else if (stopped()) tally.playsWaitingAtEnd += 1;
    if (cause !== undefined && !publisherLeft && !stopped()) {
      tally.unexpectedCloses += 1;
      tally.playError(cause);
      await sleep(PLAY_RETRY_MS);
    }
  }
}

/** What "stable" means here, and the thresholds it is judged by (MB, MB per hour). */
export interface SoakThresholds {
  /** Minutes left out of the slopes: JIT, V8's heap sizing, the first publishes' buffers. */
  readonly warmupMinutes: number;
  /**
   * Most growth of RSS less V8's young generation (which V8 resizes under load, up to a fixed
   * cap: not a leak), by least squares over every sample after the warm-up.
   */
  readonly rssSlope: number;
  /** Most growth of post-GC heapUsed (JavaScript objects), by least squares. */
  readonly heapUsedSlope: number;
  /**
   * Most growth of post-GC heapUsed + external (with the Buffers, whose amount also follows
   * where each live stream is in its GOP), by least squares.
   */
  readonly heapSlope: number;
  /** The minute whose mean RSS (less the young generation) the last minute's is compared with. */
  readonly referenceMinute: number;
  /** Most difference between those two means. */
  readonly rssDrift: number;
}

/** A least-squares line through (x, y): its slope, and the slope's standard error. */
export interface Slope {
  readonly slope: number;
  readonly standardError: number;
  readonly points: number;
}

export function leastSquares(points: ReadonlyArray<readonly [number, number]>): Slope {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  const slope = sxy / sxx;
  const residuals = points.reduce((sum, [x, y]) => sum + (y - meanY - slope * (x - meanX)) ** 2, 0);
  return { slope, standardError: Math.sqrt(residuals / (n - 2) / sxx), points: n };
}

export interface SoakVerdict {
  readonly thresholds: SoakThresholds;
  /** MB per hour, after the warm-up: RSS as sampled (shown, not judged), and less young gen. */
  readonly rawRssSlope: Slope;
  readonly rssSlope: Slope;
  /** MB per hour, post-GC, after the warm-up. */
  readonly heapUsedSlope: Slope;
  readonly heapSlope: Slope;
  /** Mean RSS (less young gen) over the reference minute and over the last minute, MB. */
  readonly rssAtReference: number;
  readonly rssAtEnd: number;
  /** The same, RSS as sampled. */
  readonly rawRssAtReference: number;
  readonly rawRssAtEnd: number;
  readonly rssStable: boolean;
  readonly heapUsedStable: boolean;
  readonly heapStable: boolean;
  readonly driftStable: boolean;
  readonly stable: boolean;
}

/** The mean of `value` (MB) over the samples of minute `minute` (the minute ending at it). */
function meanOfMinute(
  samples: readonly SoakSample[],
  minute: number,
  value: (sample: SoakSample) => number,
): number {
  const inMinute = samples.filter((s) => s.at > (minute - 1) * 60 && s.at <= minute * 60 + 1);
  return inMinute.reduce((sum, s) => sum + value(s), 0) / inMinute.length / MB;
}

const rssLessYoung = (sample: SoakSample): number => sample.rss - sample.youngGeneration;

export function judgeSoak(result: SoakResult, thresholds: SoakThresholds): SoakVerdict {
  const from = thresholds.warmupMinutes * 60;
  const end = result.options.minutes * 60 + 1;
  const warm = result.samples.filter((s) => s.at >= from && s.at <= end);
  const warmGc = result.gcSamples.filter((s) => s.minute >= thresholds.warmupMinutes);
  /** Least squares over (seconds, bytes), in MB per hour. */
  const perHour = <T extends { at: number }>(
    samples: readonly T[],
    value: (sample: T) => number,
  ): Slope => {
    const line = leastSquares(samples.map((s): [number, number] => [s.at, value(s) / MB]));
    return { ...line, slope: line.slope * 3600, standardError: line.standardError * 3600 };
  };
  const rawRssSlope = perHour(warm, (s) => s.rss);
  const rssSlope = perHour(warm, rssLessYoung);
  const heapUsedSlope = perHour(warmGc, (s) => s.heapUsed);
  const heapSlope = perHour(warmGc, (s) => s.heap);
  const rssAtReference = meanOfMinute(result.samples, thresholds.referenceMinute, rssLessYoung);
  const rssAtEnd = meanOfMinute(result.samples, result.options.minutes, rssLessYoung);
  const rssStable = rssSlope.slope < thresholds.rssSlope;
  const heapUsedStable = heapUsedSlope.slope < thresholds.heapUsedSlope;
  const heapStable = heapSlope.slope < thresholds.heapSlope;
  const driftStable = Math.abs(rssAtEnd - rssAtReference) <= thresholds.rssDrift;
  return {
    thresholds,
    rawRssSlope,
    rssSlope,
    heapUsedSlope,
    heapSlope,
    rssAtReference,
    rssAtEnd,
    rawRssAtReference: meanOfMinute(result.samples, thresholds.referenceMinute, (s) => s.rss),
    rawRssAtEnd: meanOfMinute(result.samples, result.options.minutes, (s) => s.rss),
    rssStable,
    heapUsedStable,
    heapStable,
    driftStable,
    stable: rssStable && heapUsedStable && heapStable && driftStable,
  };
}
