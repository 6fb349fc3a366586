import { RtmpPlayClient } from '../libs/rtmp/src/client/rtmp-play-client';
import { NetStatusCode } from '../libs/rtmp/src/protocol/command/net-status-code';
import { ServerCounters, StreamCount } from './servers/ipc';
import { BenchClip, publish, streamIntact } from './support/media';
import { processMemory } from './support/proc';
import { BenchServer } from './support/servers';
import { MB, progress, sleep } from './support/util';

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

/** What the players saw (counted as they go). */
export interface PlaySummary {
  /** Plays that got NetStream.Play.Start. */
  sessions: number;
  /** Of those, plays that received video. */
  withVideo: number;
  /** Of those, plays waiting for the next publish when the soak ended (closed by the bench). */
  waitingAtEnd: number;
  connectFailures: number;
  /** Connections the server or the network closed, other than after UnpublishNotify. */
  unexpectedCloses: number;
  audioPackets: number;
  videoPackets: number;
  metadataPackets: number;
  readonly errors: string[];
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
  readonly plays: PlaySummary = {
    sessions: 0,
    withVideo: 0,
    waitingAtEnd: 0,
    connectFailures: 0,
    unexpectedCloses: 0,
    audioPackets: 0,
    videoPackets: 0,
    metadataPackets: 0,
    errors: [],
  };

  exited(code: number | null, signal: string | null, stderr: string): void {
    const key = code === null ? `signal ${signal}` : String(code);
    this.exitCodes[key] = (this.exitCodes[key] ?? 0) + 1;
    if (code !== 0 && this.ffmpegErrors.length < EXAMPLES) {
      this.ffmpegErrors.push(`${key}: ${stderr.trim().split('\n').slice(-2).join(' / ')}`);
    }
  }

  playError(error: unknown): void {
    if (this.plays.errors.length < EXAMPLES) this.plays.errors.push(String(error));
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
      const run = await publish(clip.path, server.url(name), { realtime: true });
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
        (options.players ? `, plays ${tally.plays.sessions}` : ''),
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
    players: options.players ? tally.plays : undefined,
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
  const plays = tally.plays;
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
      plays.connectFailures += 1;
      tally.playError(error);
      await closed;
      await sleep(PLAY_RETRY_MS);
      continue;
    }
    plays.sessions += 1;
    const cause = await closed;
    clients.delete(client);
    const { audioPackets, videoPackets, metadataPackets } = client.stats;
    plays.audioPackets += audioPackets;
    plays.videoPackets += videoPackets;
    plays.metadataPackets += metadataPackets;
    if (videoPackets > 0) plays.withVideo += 1;
    else if (stopped()) plays.waitingAtEnd += 1;
    if (cause !== undefined && !publisherLeft && !stopped()) {
      plays.unexpectedCloses += 1;
      tally.playError(cause);
      await sleep(PLAY_RETRY_MS);
    }
  }
}
