import { BenchClip, publish, streamIntact } from './support/media';
import { processMemory, ProcessMeter } from './support/proc';
import { Rounds } from './support/server-runner';
import { BenchServer, countsStreams, isOurs, ServerKind } from './support/servers';
import { settle, sleep } from './support/util';

export interface PublishersRun {
  readonly publishers: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** CPU seconds over wall seconds, in % of one core. */
  readonly cpuPercent: number;
  readonly peakRss: number;
  /** RSS 1 s after the last publisher left. */
  readonly endRss: number;
  /** Node servers: resident size of V8's young generation then (0 for nginx). */
  readonly endYoungGeneration: number;
  /**
   * Ours: the most payload bytes its streams' GOP caches held at once, sampled twice a second
   * during the run (media the cache keeps by design, part of the peak RSS).
   */
  readonly peakGopCacheBytes: number | undefined;
  /** FFmpeg processes that exited 0. */
  readonly completed: number;
  /** Streams whose every packet the server counted (ours and node-media-server). */
  readonly intact: number | undefined;
  readonly bytesIn: number;
}

export interface PublishersResult {
  readonly kind: ServerKind;
  readonly runs: readonly PublishersRun[];
}

/**
 * Scenario 2: `counts[i]` FFmpeg publishers at once, each `-re -c copy` of the live clip (so
 * FFmpeg itself costs little), run after run on the same server process. CPU is the server's
 * over the run's wall time (spawn of the first FFmpeg to exit of the last).
 */
export function publisherRuns(
  clip: BenchClip,
  counts: readonly number[],
): Rounds<PublishersRun, PublishersResult> {
  return {
    count: counts.length,
    round: (server, index) => publishersRun(server, clip, counts[index], index),
    summarize: (server, runs) => ({ kind: server.kind, runs }),
  };
}

async function publishersRun(
  server: BenchServer,
  clip: BenchClip,
  publishers: number,
  index: number,
): Promise<PublishersRun> {
  await server.forgetStreams();
  const before = (await server.counters()).bytesIn;
  const meter = new ProcessMeter(server.pid);
  const names = Array.from({ length: publishers }, (_, i) => `run${index + 1}-pub${i + 1}`);
  const gopCache = sampleGopCache(server);
  const results = await Promise.all(
    names.map((name) => publish(clip.path, server.url(name), { realtime: true })),
  );
  const seconds = meter.wall();
  const peakGopCacheBytes = await gopCache.stop();
  await settle(server);
  const cpuSeconds = meter.cpu();
  const { peakRss } = meter.memory();
  const counters = await server.counters();
  await sleep(1_000);
  const endRss = processMemory(server.pid).rss;
  const endYoungGeneration = (await server.counters()).youngGeneration;
  const failed = results.filter((result) => result.code !== 0);
  if (failed.length > 0) {
    process.stderr.write(
      `${server.kind}: ${failed.length} publisher(s) failed: ${failed[0].stderr}\n`,
    );
  }
  const intact = (name: string): boolean =>
    streamIntact(
      clip,
      counters.streams.find((stream) => stream.name === name),
    );
  return {
    publishers,
    seconds,
    cpuSeconds,
    cpuPercent: (cpuSeconds / seconds) * 100,
    peakRss,
    endRss,
    endYoungGeneration,
    peakGopCacheBytes,
    completed: publishers - failed.length,
    intact: countsStreams(server.kind) ? names.filter(intact).length : undefined,
    bytesIn: counters.bytesIn - before,
  };
}

const GOP_CACHE_SAMPLE_MS = 500;

/** Polls our server's GOP cache size until `stop`, which resolves to the largest seen. */
function sampleGopCache(server: BenchServer): { stop(): Promise<number | undefined> } {
  if (!isOurs(server.kind)) {
    return { stop: () => Promise.resolve(undefined) };
  }
  let largest = 0;
  let running = true;
  const polling = (async () => {
    while (running) {
      largest = Math.max(largest, (await server.counters()).gopCacheBytes ?? 0);
      await sleep(GOP_CACHE_SAMPLE_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await polling;
      return largest;
    },
  };
}
