/*
 * `npm run bench`: every benchmark of issue 6, end to end, then BENCHMARKS.md. What the report
 * is rendered from (results, clips, machine) is saved beside it in .bench-work/bench-results.json,
 * so that `npm run bench:render` (this script with `--render`) can render BENCHMARKS.md again
 * from those, without measuring anything, after a change to the report's text or tables.
 *
 * Environment knobs, for development only (a run with any of them writes
 * .bench-work/BENCHMARKS.partial.md instead of BENCHMARKS.md):
 *   BENCH_ONLY=codec,flood,replay,publishers,idle,latency,fanout,hostile   scenarios to run
 *   BENCH_SERVERS=nestjs-rtmp,nginx-rtmp,node-media-server  servers to run them on
 *   BENCH_QUICK=1                                          short runs
 *   BENCH_PROFILE=1     our server runs with --cpu-prof (profiles in .bench-work/profiles)
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { cpus, release, totalmem } from 'os';
import { join } from 'path';
import { generateTestMedia, TestMediaSpec } from '../test/support/test-media';
import { benchChunkCodec, ChunkCodecResult, MIN_MEASURE_SECONDS } from './chunk-codec.bench';
import { benchFanout, FANOUT_BATCH, FanoutResult, FULL_RATE_SHARE } from './fanout.bench';
import { benchIdle, IdleResult } from './idle.bench';
import {
  ATTACK_LIMIT_S,
  benchHostile,
  CPU_QUIET_MS,
  MIN_PROBE_WINDOW_MS,
  PROBE_ADDRESS,
  PROBE_INTERVAL_MS,
  PROBE_TIMEOUT_MS,
  flooredRatio,
  HOSTILE_FLOORS,
  HostileResult,
  peakRssGrowth,
  benchSlotHoldersFloor,
  SlotHoldersFloor,
  slowestProbe,
} from './hostile.bench';
import { benchFlood, benchReplay, IngestResult } from './ingest.bench';
import { benchLatency, LatencyResult } from './latency.bench';
import { benchPublishers, PublishersResult, PublishersRun } from './publishers.bench';
import { benchSessionPath, SessionPathResult } from './session.bench';
import {
  byKind,
  chunkTable,
  fanoutTable,
  hostileTable,
  idleTable,
  sessionTable,
  ingestTable,
  latencyTable,
  publishersTable,
  TargetCheck,
  targetsTable,
} from './report';
import { BenchClip, FLOOD_MEDIA, LIVE_MEDIA, prepareClip } from './support/media';
import { loadAverage } from './support/proc';
import { capturedSession } from './support/replay';
import {
  compileServers,
  ensureNodeMediaServer,
  NMS_VERSION,
  SERVER_KINDS,
  SMALL_YOUNG_GENERATION_FLAG,
  ServerKind,
  startServer,
  WORK_DIR,
} from './support/servers';
import { MB, progress } from './support/util';

/** The protocol-core clip: 720p30 H.264 at 4 Mbit/s with AAC, 2 s keyframe interval. */
const CODEC_MEDIA: TestMediaSpec = {
  width: 1280,
  height: 720,
  frameRate: 30,
  seconds: 20,
  gop: 60,
  videoBitrate: '4M',
};

type Scenario =
  'codec' | 'flood' | 'replay' | 'publishers' | 'idle' | 'latency' | 'fanout' | 'hostile';

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY?.split(',') as Scenario[] | undefined;
const serverKinds = (process.env.BENCH_SERVERS?.split(',') as ServerKind[] | undefined) ?? [
  ...SERVER_KINDS,
];
const profileDir = process.env.BENCH_PROFILE === '1' ? join(WORK_DIR, 'profiles') : undefined;
const partial = quick || only !== undefined || process.env.BENCH_SERVERS !== undefined;

const SETTINGS = quick
  ? {
      floodRounds: 1,
      replayRounds: 1,
      publisherRuns: [5, 10],
      idle: 200,
      latencyPublishers: 3,
      fanout: { players: 50, windowMs: 5_000 },
    }
  : {
      floodRounds: 6,
      replayRounds: 3,
      publisherRuns: [20, 50, 50, 50],
      idle: 1000,
      latencyPublishers: 10,
      fanout: { players: 200, windowMs: 15_000 },
    };
const liveMedia: TestMediaSpec = quick ? { ...LIVE_MEDIA, seconds: 6 } : LIVE_MEDIA;

/** The 1-minute load average as each part started: other work on the machine shows here. */
const loads: string[] = [];

function noteLoad(part: string): void {
  loads.push(`${part} ${loadAverage().toFixed(2)}`);
}

function wanted(scenario: Scenario): boolean {
  return only === undefined || only.includes(scenario);
}

/**
 * Ours as configured otherwise, and how target rows name it: with the GOP cache off (nginx has
 * none), and with V8's young generation capped (the memory that saves, the CPU it costs).
 */
const OUR_VARIANTS = {
  'nestjs-rtmp': '',
  'nestjs-rtmp-no-gop': ' (with `gopCache: false`)',
  'nestjs-rtmp-small-young': ` (run with \`${SMALL_YOUNG_GENERATION_FLAG}\`)`,
} as const;
type OurVariant = keyof typeof OUR_VARIANTS;
const GOP_VARIANTS: readonly OurVariant[] = ['nestjs-rtmp', 'nestjs-rtmp-no-gop'];
const ALL_VARIANTS = Object.keys(OUR_VARIANTS) as OurVariant[];

/** `kinds` with ours replaced by `variants`, right where ours was. */
function withVariants(kinds: readonly ServerKind[], variants: readonly OurVariant[]): ServerKind[] {
  return kinds.flatMap((kind): ServerKind[] => (kind === 'nestjs-rtmp' ? [...variants] : [kind]));
}

interface Results {
  codec: ChunkCodecResult[];
  sessionPath: SessionPathResult[];
  flood: IngestResult[];
  replay128: IngestResult[];
  replay4096: IngestResult[];
  publishers: PublishersResult[];
  idle: IdleResult[];
  latency: LatencyResult | undefined;
  fanout: FanoutResult[];
  hostile: HostileResult[];
  /** The slot holders against the Node floor, beside the hostile table. */
  hostileFloor?: SlotHoldersFloor;
}

/** Runs `scenario` on every server, each in a fresh server process. */
async function onEachServer<T>(
  what: string,
  run: (server: Awaited<ReturnType<typeof startServer>>) => Promise<T>,
  kinds: readonly ServerKind[] = serverKinds,
): Promise<T[]> {
  const results: T[] = [];
  for (const kind of kinds) {
    progress(`${what}: ${kind}`);
    noteLoad(`${what} (${kind})`);
    const ours = kind === 'nestjs-rtmp' || kind === 'nestjs-rtmp-defaults';
    const server = await startServer(kind, ours ? { profileDir } : {});
    try {
      results.push(await run(server));
    } catch (error) {
      throw new Error(`${what} on ${kind} failed: ${String(error)}\n${server.logTail()}`);
    } finally {
      await server.stop();
    }
  }
  return results;
}

/** Scenario 2's runs with N = 50 on `kind` (none if it did not run). */
function fiftyPublisherRuns(
  publishers: readonly PublishersResult[],
  kind: ServerKind,
): PublishersRun[] {
  return byKind(publishers, kind)?.runs.filter((run) => run.publishers === 50) ?? [];
}

function meanCpu(runs: readonly PublishersRun[]): number {
  return runs.reduce((sum, run) => sum + run.cpuPercent, 0) / runs.length;
}

/**
 * Scenario 2's Node floor beside nginx-rtmp and ours at N = 50: how much of the gap to
 * nginx-rtmp Node's sockets take before any code of ours runs.
 */
function floorComparison(publishers: readonly PublishersResult[]): string {
  const fifty = (kind: ServerKind): PublishersRun[] => fiftyPublisherRuns(publishers, kind);
  const floor = fifty('node-floor-publish');
  const nginx = fifty('nginx-rtmp');
  if (floor.length === 0 || nginx.length === 0) return '';
  const floorCpu = meanCpu(floor);
  const nginxCpu = meanCpu(nginx);
  const lines = [
    `At N = 50 (mean of the runs), the Node floor used ${floorCpu.toFixed(1)} % of a core, ` +
      `${(floorCpu / nginxCpu).toFixed(2)}× nginx-rtmp’s ${nginxCpu.toFixed(1)} %, with a peak RSS ` +
      `of ${(Math.max(...floor.map((run) => run.peakRss)) / MB).toFixed(1)} MB`,
  ];
  for (const kind of ALL_VARIANTS) {
    const ours = fifty(kind);
    if (ours.length === 0) continue;
    lines.push(
      `ours${OUR_VARIANTS[kind]} ${meanCpu(ours).toFixed(1)} % ` +
        `(${(meanCpu(ours) / nginxCpu).toFixed(2)}× nginx-rtmp’s, ${(meanCpu(ours) / floorCpu).toFixed(2)}× the floor’s)`,
    );
  }
  return `\n${lines.join('; ')}.\n`;
}

/** What render() says about the machine, taken while the bench runs on it. */
interface Machine {
  readonly cores: number;
  readonly cpuModel: string | undefined;
  readonly memoryBytes: number;
  readonly kernel: string;
  readonly node: string;
  readonly ffmpeg: string;
  readonly fileLimit: string;
  /** The 1-minute load average as each part started. */
  readonly loads: readonly string[];
}

function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim(),
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    ffmpeg: ffmpegVersion(),
    fileLimit: fileLimit(),
    loads: [...loads],
  };
}

function ffmpegVersion(): string {
  const banner = execFileSync('ffmpeg', ['-version']).toString().split('\n')[0];
  return banner.replace(/ Copyright.*/, '');
}

function fileLimit(): string {
  return execFileSync('bash', ['-c', 'ulimit -n']).toString().trim();
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  progress(`load average at start: ${loadAtStart}`);
  const nmsVersion = serverKinds.includes('node-media-server')
    ? ensureNodeMediaServer()
    : NMS_VERSION;
  compileServers();

  const results: Results = {
    codec: [],
    sessionPath: [],
    flood: [],
    replay128: [],
    replay4096: [],
    publishers: [],
    idle: [],
    latency: undefined,
    fanout: [],
    hostile: [],
  };
  let flood: BenchClip | undefined;
  let live: BenchClip | undefined;
  let versions: Partial<Record<ServerKind, string>> = {};

  if (wanted('codec')) {
    progress('protocol core');
    noteLoad('protocol core');
    const clip = await generateTestMedia(join(WORK_DIR, 'bench-720p30.flv'), CODEC_MEDIA);
    results.codec = [4096, 128].map((size) => benchChunkCodec(clip, size));
  }
  if (wanted('flood') || wanted('replay')) {
    progress('generating the flood clip (once)');
    flood = await prepareClip(FLOOD_MEDIA);
  }
  if (wanted('flood') && flood !== undefined) {
    const clip = flood;
    results.flood = await onEachServer(
      'ingest flood',
      async (server) => {
        versions = { ...versions, [server.kind]: server.version };
        return benchFlood(server, clip, SETTINGS.floodRounds);
      },
      withVariants(serverKinds, ALL_VARIANTS),
    );
  }
  if (wanted('replay') && flood !== undefined) {
    const clip = flood;
    progress('recording the FFmpeg sessions to replay (once)');
    const session128 = await capturedSession(clip.path, 128);
    const session4096 = await capturedSession(clip.path, 4096);
    const both = await onEachServer(
      'replay flood',
      async (server) => {
        versions = { ...versions, [server.kind]: server.version };
        const at4096 = await benchReplay(server, session4096, clip, SETTINGS.replayRounds);
        const at128 = await benchReplay(server, session128, clip, SETTINGS.replayRounds);
        return { at128, at4096 };
      },
      [...serverKinds, 'node-floor'],
    );
    results.replay128 = both.map((result) => result.at128);
    results.replay4096 = both.map((result) => result.at4096);
    if (wanted('codec')) {
      progress('session path (in process)');
      noteLoad('session path');
      results.sessionPath = [
        await benchSessionPath(session4096),
        await benchSessionPath(session128),
      ];
    }
  }
  if (wanted('publishers') || wanted('latency') || wanted('fanout')) {
    live = await prepareClip(liveMedia);
  }
  if (wanted('publishers') && live !== undefined) {
    const clip = live;
    results.publishers = await onEachServer(
      'many publishers',
      async (server) => {
        versions = { ...versions, [server.kind]: server.version };
        return benchPublishers(server, clip, SETTINGS.publisherRuns);
      },
      // The floor last: what Node's sockets alone cost, next to the servers.
      [...withVariants(serverKinds, ALL_VARIANTS), 'node-floor-publish'],
    );
  }
  if (wanted('idle')) {
    results.idle = await onEachServer('idle connections', async (server) => {
      versions = { ...versions, [server.kind]: server.version };
      return benchIdle(server, SETTINGS.idle);
    });
  }
  if (wanted('latency') && live !== undefined) {
    progress('consumer latency');
    noteLoad('consumer latency');
    results.latency = await benchLatency(live, SETTINGS.latencyPublishers);
  }

  if (wanted('fanout') && live !== undefined) {
    const clip = live;
    results.fanout = await onEachServer(
      'fan-out',
      async (server) => {
        versions = { ...versions, [server.kind]: server.version };
        return benchFanout(server, clip, SETTINGS.fanout);
      },
      withVariants(serverKinds, GOP_VARIANTS),
    );
  }

  if (wanted('hostile')) {
    results.hostile = await onEachServer(
      'hostile traffic',
      async (server) => {
        versions = { ...versions, [server.kind]: server.version };
        return benchHostile(server);
      },
      // Ours as deployed: its default limits, and a verifier that knows no attacker's key.
      serverKinds.map((kind) => (kind === 'nestjs-rtmp' ? 'nestjs-rtmp-defaults' : kind)),
    );
    [results.hostileFloor] = await onEachServer(
      'hostile traffic, Node floor',
      (server) => benchSlotHoldersFloor(server),
      ['node-floor'],
    );
  }

  noteLoad('end');
  const minutes = (Date.now() - startedAt.getTime()) / 60_000;
  const input: RenderInput = {
    results,
    flood,
    live,
    date: startedAt.toISOString().slice(0, 10),
    minutes,
    loadAtStart,
    machine: describeMachine(),
    versions: { ...versions, 'node-media-server': versions['node-media-server'] ?? nmsVersion },
  };
  const saved = join(WORK_DIR, partial ? 'bench-results.partial.json' : 'bench-results.json');
  writeFileSync(saved, `${JSON.stringify(input, keepNonFinite, 2)}\n`);
  const report = render(input);
  const target = partial
    ? join(WORK_DIR, 'BENCHMARKS.partial.md')
    : join(__dirname, '..', 'BENCHMARKS.md');
  writeFileSync(target, report);
  process.stdout.write(report);
  progress(`written to ${target} after ${minutes.toFixed(1)} min; its input to ${saved}`);
}

/**
 * `--render [file]`: BENCHMARKS.md rendered again from a run's saved input (by default the last
 * full run's), nothing measured. A partial run's input renders to the partial report.
 */
function renderSaved(file = join(WORK_DIR, 'bench-results.json')): void {
  const input = JSON.parse(readFileSync(file, 'utf8'), restoreNonFinite) as RenderInput;
  const target = file.endsWith('.partial.json')
    ? join(WORK_DIR, 'BENCHMARKS.partial.md')
    : join(__dirname, '..', 'BENCHMARKS.md');
  writeFileSync(target, render(input));
  progress(`rendered ${file} to ${target}`);
}

/** JSON has no NaN or Infinity (a ratio with nothing to compare, say): kept as strings. */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function restoreNonFinite(_key: string, value: unknown): unknown {
  return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : value;
}

/** Everything the report is rendered from, saved with each run. */
interface RenderInput {
  readonly results: Results;
  readonly flood: BenchClip | undefined;
  readonly live: BenchClip | undefined;
  /** The day the run started, YYYY-MM-DD. */
  readonly date: string;
  readonly minutes: number;
  readonly loadAtStart: number;
  readonly machine: Machine;
  readonly versions: Partial<Record<ServerKind, string>>;
}

/** A ratio to two decimals, or three when two would round onto the limit it is judged by. */
function times(value: number, limit: number): string {
  return `${value.toFixed(value.toFixed(2) === limit.toFixed(2) ? 3 : 2)}×`;
}

function ratio(ours: number | undefined, theirs: number | undefined): number {
  return ours === undefined || theirs === undefined ? NaN : ours / theirs;
}

function targetChecks(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const flood = (kind: ServerKind): IngestResult | undefined => byKind(results.flood, kind);
  const [nginx, nms] = [flood('nginx-rtmp'), flood('node-media-server')];
  for (const kind of ALL_VARIANTS) {
    const ours = flood(kind);
    if (ours === undefined) continue;
    const which = OUR_VARIANTS[kind];
    const vsNginx = ratio(ours.cpuSecondsPerGb, nginx?.cpuSecondsPerGb);
    const vsNms = ratio(ours.cpuSecondsPerGb, nms?.cpuSecondsPerGb);
    checks.push({
      target: `Ingest flood: CPU per GB ≤ 1.5× nginx-rtmp’s${which}`,
      measured: `${ours.cpuSecondsPerGb.toFixed(2)} vs ${nginx?.cpuSecondsPerGb.toFixed(2)} s/GB = ${times(vsNginx, 1.5)}`,
      met: Number.isNaN(vsNginx) ? undefined : vsNginx <= 1.5,
    });
    checks.push({
      target: `Ingest flood: CPU per GB < 0.4× node-media-server’s${which}`,
      measured: `${ours.cpuSecondsPerGb.toFixed(3)} vs ${nms?.cpuSecondsPerGb.toFixed(3)} s/GB = ${times(vsNms, 0.4)}`,
      met: Number.isNaN(vsNms) ? undefined : vsNms < 0.4,
    });
    if (kind !== 'nestjs-rtmp') continue;
    const peers = [nginx, nms].filter((peer): peer is IngestResult => peer !== undefined);
    checks.push({
      target: 'Ingest flood: MB/s no lower than either peer’s',
      measured:
        `${ours.mbPerSecond.toFixed(0)} MB/s vs ` +
        peers.map((peer) => `${peer.kind} ${peer.mbPerSecond.toFixed(0)}`).join(', ') +
        ' (medians; FFmpeg is the bottleneck)',
      met:
        peers.length === 0
          ? undefined
          : peers.every((peer) => ours.mbPerSecond >= peer.mbPerSecond),
    });
  }
  const replay = byKind(results.replay4096, 'nestjs-rtmp');
  if (replay !== undefined) {
    checks.push({
      target: 'Replay flood at chunk size 4096: ≥ 500 MB/s on one core',
      measured: `${replay.mbPerSecond.toFixed(0)} MB/s (${replay.cpuSecondsPerGb.toFixed(2)} CPU s/GB)`,
      met: replay.mbPerSecond >= 500,
    });
  }
  const fifty = (kind: ServerKind): PublishersRun[] => fiftyPublisherRuns(results.publishers, kind);
  const nginx50 = fifty('nginx-rtmp');
  for (const kind of ALL_VARIANTS) {
    const ours50 = fifty(kind);
    if (ours50.length === 0) continue;
    const which = OUR_VARIANTS[kind];
    const vsNginx = nginx50.length > 0 ? meanCpu(ours50) / meanCpu(nginx50) : NaN;
    checks.push({
      target: `50 publishers: CPU % ≤ 1.5× nginx-rtmp’s${which}`,
      measured: `${meanCpu(ours50).toFixed(1)} % vs ${nginx50.length > 0 ? meanCpu(nginx50).toFixed(1) : '?'} % = ${times(vsNginx, 1.5)} (mean of the N=50 runs)`,
      met: Number.isNaN(vsNginx) ? undefined : vsNginx <= 1.5,
    });
    const peak = Math.max(...ours50.map((run) => run.peakRss));
    const gopPeak = Math.max(...ours50.map((run) => run.peakGopCacheBytes ?? 0));
    checks.push({
      target: `50 publishers: RSS < 100 MB${which}`,
      measured:
        `peak ${(peak / MB).toFixed(1)} MB` +
        (gopPeak > 0 ? ` (GOP caches holding up to ${(gopPeak / MB).toFixed(1)} MB of media)` : ''),
      met: peak < 100 * MB,
    });
    const first = ours50[0];
    const last = ours50[ours50.length - 1];
    const growth = last.endRss - first.endRss;
    // V8 enlarging its young generation is a one-off resize, not a leak: counted apart.
    const youngGrowth = last.endYoungGeneration - first.endYoungGeneration;
    const signed = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${(bytes / MB).toFixed(1)}`;
    checks.push({
      target: `50 publishers: no RSS growth across runs (≤ 5 MB, V8 young-generation resizing apart)${which}`,
      measured:
        `RSS after each run: ${ours50.map((run) => (run.endRss / MB).toFixed(1)).join(' → ')} MB ` +
        `(${signed(growth)} MB, of which V8's young generation ${signed(youngGrowth)} MB)`,
      met: ours50.length < 2 ? undefined : growth - youngGrowth <= 5 * MB,
    });
    const runs = byKind(results.publishers, kind)?.runs ?? [];
    checks.push({
      target: `Many publishers: every stream intact${which}`,
      measured: runs.map((run) => `${run.intact}/${run.publishers}`).join(', '),
      met: runs.every((run) => run.intact === run.publishers && run.completed === run.publishers),
    });
  }
  const idle = byKind(results.idle, 'nestjs-rtmp');
  if (idle !== undefined) {
    checks.push({
      target: 'Idle connections: < 20 KB RSS per connection',
      measured:
        `${(idle.rssPerConnection / 1024).toFixed(1)} KB ((RSS with ${idle.connections} − before) / ${idle.connections}); ` +
        `${(idle.rssPerConnectionWithoutYoung / 1024).toFixed(1)} KB without V8's young-generation growth ` +
        `(${(idle.youngBefore / MB).toFixed(1)} → ${(idle.youngWith / MB).toFixed(1)} MB)`,
      met: idle.rssPerConnection < 20 * 1024,
    });
  }
  if (results.latency !== undefined) {
    const { observable } = results.latency.report;
    checks.push({
      target: 'Consumer latency p99 < 1 ms',
      measured: `p99 ${observable.p99.toFixed(0)} µs, p50 ${observable.p50.toFixed(0)} µs`,
      met: observable.p99 < 1000,
    });
  }
  checks.push(...fanoutChecks(results.fanout));
  checks.push(...hostileChecks(results.hostile));
  return checks;
}

/**
 * Issue 18: under every attack, ours within 2× of nginx-rtmp in CPU seconds, peak RSS growth
 * and the slowest probe handshake, each against nginx-rtmp's figure or its floor, whichever is
 * higher (HOSTILE_FLOORS).
 */
function hostileChecks(results: readonly HostileResult[]): TargetCheck[] {
  const ours = byKind(results, 'nestjs-rtmp-defaults');
  const nginx = byKind(results, 'nginx-rtmp');
  if (ours === undefined) return [];
  const attacked = ours.rows.filter((row) => !row.control);
  return attacked.map((row) => {
    const theirs = nginx?.rows.find((their) => their.attack === row.attack);
    if (theirs === undefined) {
      return {
        target: `Hostile traffic, ${row.attack}: within 2× of nginx-rtmp`,
        measured: '',
        met: undefined,
      };
    }
    const figures = [
      {
        what: 'CPU',
        ours: row.cpuSeconds,
        nginx: theirs.cpuSeconds,
        floor: HOSTILE_FLOORS.cpuSeconds,
        floorText: `${HOSTILE_FLOORS.cpuSeconds} s`,
        show: (v: number) => `${v.toFixed(2)} s`,
      },
      {
        what: 'peak RSS growth',
        ours: peakRssGrowth(row),
        nginx: peakRssGrowth(theirs),
        floor: HOSTILE_FLOORS.peakRssGrowth,
        floorText: `${HOSTILE_FLOORS.peakRssGrowth / 2 ** 20} MiB`,
        show: (v: number) => `${(v / MB).toFixed(1)} MB`,
      },
      {
        what: 'slowest probe',
        ours: slowestProbe(row),
        nginx: slowestProbe(theirs),
        floor: HOSTILE_FLOORS.probeMs,
        floorText: `${HOSTILE_FLOORS.probeMs} ms`,
        show: (v: number) => `${v.toFixed(1)} ms`,
      },
    ].map((figure) => ({
      ...figure,
      ratio: flooredRatio(figure.ours, figure.nginx, figure.floor),
    }));
    return {
      target: `Hostile traffic, ${row.attack}: CPU, peak RSS growth and slowest probe handshake within 2× of nginx-rtmp’s (issue 18)`,
      measured: figures
        .map(
          (figure) =>
            `${figure.what} ${figure.show(figure.ours)} vs ${figure.show(figure.nginx)}` +
            `${figure.nginx < figure.floor ? ` (floor ${figure.floorText})` : ''} = ${times(figure.ratio, 2)}`,
        )
        .join('; '),
      met: figures.every((figure) => figure.ratio <= 2),
    };
  });
}

/**
 * Issue 8 sets no number for the fan-out: ours is held to no more CPU and no more RSS per
 * player than node-media-server (the other Node server), with nginx-rtmp's figures alongside,
 * and to serving every player well.
 */
function fanoutChecks(results: readonly FanoutResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const [nginx, nms] = [byKind(results, 'nginx-rtmp'), byKind(results, 'node-media-server')];
  const versus = (
    ours: number,
    of: (result: FanoutResult) => number,
    show: (value: number) => string,
  ): string =>
    [nginx, nms]
      .filter((peer): peer is FanoutResult => peer !== undefined)
      .map((peer) => `${peer.kind} ${show(of(peer))} (${(ours / of(peer)).toFixed(2)}×)`)
      .join(', ');
  for (const kind of GOP_VARIANTS) {
    const ours = byKind(results, kind);
    if (ours === undefined) continue;
    const which = OUR_VARIANTS[kind];
    const players = `1 → ${ours.players} players`;
    const percent = (value: number): string => `${value.toFixed(1)} %`;
    checks.push({
      target: `Fan-out, ${players}: server CPU % no higher than node-media-server’s (issue 8; nginx-rtmp for reference)${which}`,
      measured: `${percent(ours.cpuPercent)} vs ${versus(ours.cpuPercent, (r) => r.cpuPercent, percent)}`,
      met: nms === undefined ? undefined : ours.cpuPercent <= nms.cpuPercent,
    });
    const kbs = (value: number): string => `${(value / 1024).toFixed(1)} KB`;
    const peak = (value: number): string => `${(value / MB).toFixed(1)} MB`;
    checks.push({
      target: `Fan-out, ${players}: RSS per player no higher than node-media-server’s (issue 8; nginx-rtmp for reference)${which}`,
      measured:
        `${kbs(ours.rssPerPlayer)} vs ${versus(ours.rssPerPlayer, (r) => r.rssPerPlayer, kbs)}; ` +
        `peak RSS ${peak(ours.peakRss)} vs ${versus(ours.peakRss, (r) => r.peakRss, peak)}`,
      met: nms === undefined ? undefined : ours.rssPerPlayer <= nms.rssPerPlayer,
    });
    checks.push({
      target: `Fan-out, ${players}: every player served well (section 6)${which}`,
      measured:
        `${ours.servedWell}/${ours.players}` +
        [nginx, nms]
          .filter((peer): peer is FanoutResult => peer !== undefined)
          .map((peer) => `; ${peer.kind} ${peer.servedWell}/${peer.players}`)
          .join(''),
      met: ours.servedWell === ours.players,
    });
  }
  return checks;
}

function render(input: RenderInput): string {
  const { results, flood, live, versions, machine } = input;
  const sections: string[] = [];
  sections.push(`# Benchmarks

Written by \`npm run bench\` on ${input.date} (the run took
${input.minutes.toFixed(1)} min). Machine: ${machine.cores} cores (${machine.cpuModel}),
${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Linux ${machine.kernel}, Node ${machine.node},
${machine.ffmpeg}. Load average (1 min) when the run started: ${input.loadAtStart.toFixed(2)};
as each part started: ${machine.loads.join(', ')}.
\`ulimit -n\`: ${machine.fileLimit}.

Peers, installed by the bench itself: node-media-server ${versions['node-media-server'] ?? NMS_VERSION}
from npm (into \`.bench-work/nms\`, git-ignored), ${versions['nginx-rtmp'] ?? 'nginx with libnginx-mod-rtmp'}
from Debian.

**How.** Every server runs in a child process of its own, on 127.0.0.1; the load generators
(FFmpeg, the replayer, the idle clients) are other processes. A server's CPU time is
utime + stime of its process from \`/proc/<pid>/stat\` (all threads; 10 ms ticks), taken as a
delta over each measured stretch, so start-up costs are never counted. Its peak RSS is
\`VmHWM\` from \`/proc/<pid>/status\`, reset at the start of each stretch (\`clear_refs\` 5).
Our server is this repository's \`RtmpServer\` compiled to JavaScript
(\`bench/servers/nestjs-rtmp-server.ts\`, accept-all verifier, one consumer counting packets
and bytes); node-media-server runs from its npm package, RTMP only
(\`bench/servers/node-media-server.ts\`, with the same counting wrapped around its packet
callback); nginx runs as one process (\`master_process off\`, \`live on\`, no recording) and its
byte counts come from \`rtmp_stat\`. Each scenario starts fresh server processes. The machine
has two cores: the server, the load generators and the bench share them.`);

  sections.push(`## Against the targets

${targetsTable(targetChecks(results))}`);

  if (results.flood.length > 0 && flood !== undefined) {
    sections.push(`## 1. Ingest flood: FFmpeg \`-c copy\`, as fast as it goes

FFmpeg publishes a generated ${flood.spec.width}x${flood.spec.height}@${flood.spec.frameRate}
H.264 (${flood.spec.videoBitrate}bit/s) + AAC FLV of ${(flood.fileBytes / MB).toFixed(0)} MB
(${flood.video} video and ${flood.audio} audio messages) without \`-re\`,
${results.flood[0].rounds.length} times per server. MB/s is the bytes the server read over the
wall time from spawning FFmpeg to its exit (FFmpeg's start-up, about 0.1 s, included); CPU per
GB is the server's CPU time over those bytes. Each server announces its own chunk size, which
FFmpeg then uses: 60000 for ours (its default \`outChunkSize\`), 4096 for nginx, 65535 for
node-media-server. "Every packet counted"
compares the server's per-stream packet counts with the file's; nginx counts bytes only, so it
is checked by FFmpeg's exit status and its \`rtmp_stat\` byte count. Every server gets one
unmeasured publish first, so all are measured warm. Ours runs three times: with its defaults
(GOP cache on, as node-media-server's always is), with \`gopCache: false\` (nginx-rtmp has
none), and with its defaults in a Node process run with \`${SMALL_YOUNG_GENERATION_FLAG}\`
(V8's young generation kept at the 1 MB semi-spaces it starts with instead of growing to
16: the memory setting of README's "Memory" section, measured here for its CPU cost).

${ingestTable(results.flood)}`);
  }

  if (results.replay4096.length > 0) {
    sections.push(`## 1b. Replay flood: a recorded FFmpeg session, as fast as the server reads it

FFmpeg's publish of the same clip was recorded once per chunk size by the capture listener of
the interop tests (\`test/support/capture-listener.ts\`; at 4096 it announces SetChunkSize
4096 and FFmpeg answers with its own). The replayer (\`bench/support/replay.ts\`) does the
client handshake, sends the recording up to and including \`publish\`, waits for
NetStream.Publish.Start, then writes the rest in 1 MiB slices of the recording, waiting for
'drain' whenever the socket buffer is full, and half-closes. MB/s is the bytes after
\`publish\` over the time from the first of them to the server closing the connection, which it
does once it has read everything. The replayer runs in the bench process, on the other core.
Each server gets one unmeasured replay first. The last row is the floor under any Node server:
a \`net.Server\` that only counts what it reads (\`bench/servers/node-floor-server.ts\`), sent
the same recording raw.

Chunk size 4096:

${ingestTable(results.replay4096)}

Chunk size 128:

${ingestTable(results.replay128)}`);
  }

  if (results.publishers.length > 0 && live !== undefined) {
    sections.push(`## 2. Many publishers: FFmpeg \`-re\` encoders side by side

Each publisher is an FFmpeg \`-re -c copy\` of a generated ${live.spec.width}x${live.spec.height}@${live.spec.frameRate}
H.264 (${live.spec.videoBitrate}bit/s) + AAC clip of ${live.spec.seconds} s
(${(live.fileBytes / MB).toFixed(1)} MB), all started at once; runs follow one another on the
same server process. CPU % is the server's CPU seconds over the run's wall seconds (first
FFmpeg spawned to last one exited) × 100, i.e. % of one core. "Streams intact": every audio,
video and data message of the clip counted on that stream by the server (nginx: not counted;
its byte totals are in the last column). With 50 FFmpeg processes on two cores, the
publishers compete with the server for CPU. Ours runs with its defaults (GOP cache on: every
stream keeps its current GOP, about 2 s of media here, for players that join) and with
\`gopCache: false\`, and with its defaults in a Node process run with
\`${SMALL_YOUNG_GENERATION_FLAG}\` (see README, "Memory": V8 frees the memory of each socket
read only when a collection finds it dead, and a smaller young generation collects sooner);
nginx-rtmp has no GOP cache, node-media-server always has one. "GOP cache
content" is the most media our streams' GOP caches held at once (sampled every 0.5 s): memory
the cache holds by design, within the peak RSS; the publishers start together, so their GOPs
end together. On the Node servers, the young-generation column is V8's new space, which V8
enlarges under load and keeps: a step in RSS that is not a leak. The last row is no RTMP
server: the Node floor (\`bench/servers/node-floor-publish-server.ts\`) answers the publish
exchange with this library's protocol core until Publish.Start, then only counts the bytes it
reads, so it shows what taking in this media costs any Node process.

${publishersTable(results.publishers)}
${floorComparison(results.publishers)}`);
  }

  if (results.idle.length > 0) {
    sections.push(`## 3. Idle connections

${results.idle[0].connections} connections from the bench process (a raw client built from the protocol core:
\`ClientHandshake\`, \`ChunkWriter\`, \`encodeConnect\`), each through the handshake and
\`connect\` (its \`_result\` received), 50 at a time, then left idle. RSS "before" is taken
after a full GC (Node servers) on the fresh server; "with them" 2 s after the last one
connected, as is; the next column after a full GC too. The Node servers' figures include a
one-off: V8 enlarges its young generation (new space) under the burst of allocation and keeps
it, by a few MB to about 30 MB depending on its heuristics on the run; the column after shows
the per-connection figure without that growth (new space's resident size, from
\`v8.getHeapSpaceStatistics()\`, subtracted). For ours the limits are raised for the
run (\`maxConnections\`, \`maxConnectionsPerAddress\` 10000, \`connectToPublishTimeoutMs\`
600 s); nginx gets \`worker_connections 4096\`; node-media-server has no limits. Its
JS heap + external figure counts the 1 MB FLV parser buffer each of its sessions allocates
(\`Buffer.alloc\`, zero pages the process never touches, so not resident).

${idleTable(results.idle)}`);
  }

  if (results.codec.length > 0 || results.sessionPath.length > 0) {
    const parts: string[] = [];
    if (results.codec.length > 0) {
      parts.push(`A ${CODEC_MEDIA.seconds} s ${CODEC_MEDIA.width}x${CODEC_MEDIA.height}@${CODEC_MEDIA.frameRate} H.264 (${CODEC_MEDIA.videoBitrate}bit/s) + AAC clip
generated by FFmpeg, chunked by \`ChunkWriter\` as an encoder would publish it (video on csid 8,
audio on csid 9), cut into 64 KiB socket reads and fed to \`ChunkReader\` in one thread. MB/s is
stream bytes per CPU second (user + system) of the benchmark process, measured over at least
${MIN_MEASURE_SECONDS} s after a warm-up round.

Targets (issue 2): reader at least 1 GB/s at chunk size 4096 and 200 MB/s at 128, one core.

${chunkTable(results.codec)}

A message can only be handed out as a view when it travels in one chunk: a larger one is
interleaved with chunk headers on the wire and is copied once into a buffer of its own.`);
    }
    if (results.sessionPath.length > 0) {
      parts.push(`**Session path.** The recorded FFmpeg sessions of scenario 1b fed, in this process, to a
real \`RtmpServer\` session through a stand-in socket (\`bench/session.bench.ts\`), cut into
64 KiB reads: the library's whole per-byte path (chunk reader, session, FLV tag parsing,
LiveStream with its GOP cache, a listener counting packets) without the kernel and Node's
socket layer. MB/s per CPU second, over at least 2 s after a warm-up round.

${sessionTable(results.sessionPath)}`);
    }
    sections.push(`## 4. Protocol core: chunk reader and writer, and the session path

${parts.join('\n\n')}`);
  }

  if (results.latency !== undefined) {
    const latency = results.latency;
    sections.push(`## 5. Consumer latency

${latency.publishers} FFmpeg \`-re\` publishers of the live clip (${latency.completed} exited 0) into a Nest
application (\`bench/servers/latency-app.ts\`: \`RtmpModule.forRoot\` with
\`AllowAllStreamKeyVerifier\`) that subscribes to each of the ${latency.report.streams} streams with
\`RtmpServerService.packets()\`. Measured in that process: a 'data' listener placed in front of
the session's own (through the \`net.server.socket\` diagnostics channel; the library is not
touched) stamps \`process.hrtime.bigint()\` when the socket delivers a buffer; the session
parses it synchronously, so every message that buffer completes carries that stamp, which a
LiveStream listener files under the packet object. The clock stops when the packet reaches the
subscriber. What this leaves out: the time between the kernel receiving the bytes and Node's
read (event-loop delay before the 'data' event). Error bars: hrtime resolution is far below a
microsecond; the stamp listener and the WeakMap cost well under a microsecond per packet. The
application used ${latency.cpuPercent.toFixed(1)} % of a core during the run.

${latencyTable(latency)}`);
  }

  if (results.fanout.length > 0 && live !== undefined) {
    const fanout = results.fanout;
    const windowSeconds = fanout[0].windowSeconds;
    sections.push(`## 6. Fan-out: one publisher, ${fanout[0].players} players

One FFmpeg \`-re -stream_loop -1 -c copy\` publisher of the live clip (${live.spec.width}x${live.spec.height}@${live.spec.frameRate}
H.264 at ${live.spec.videoBitrate}bit/s + AAC, looped so that it never ends during the run) and
${fanout[0].players} players of its stream. The players all live in one separate Node process
(\`bench/support/player-swarm-process.ts\`, compiled like the servers), the same load for every
server: each is this repository's \`RtmpPlayClient\`, which plays as FFmpeg does (connect,
createStream, \`play\` live, SetBufferLength 3 s, acknowledgements of the server's window) and
counts what it receives. They connect once the server has read 256 KB from the publisher and
3 s more have passed (a whole GOP, so a GOP cache holds one), ${FANOUT_BATCH} at a time, each batch
up to NetStream.Play.Start before the next. The measured window, ${windowSeconds.toFixed(0)} s, starts 3 s after
the last player connected, so the GOPs sent to the late joiners are behind it. CPU % is the
server's CPU seconds over the window's wall seconds × 100, i.e. % of one core; the next column
is the part of it spent in the kernel (\`stime\`: mostly the sends to the players), then the
write and writev calls the server made per second (\`syscw\` of \`/proc/<pid>/io\`; it saw none of
nginx's sends, which do not go through those calls). Peak RSS is
\`VmHWM\` from the first player's connect to the end of the window; KB per player is (RSS at the
end of the window − RSS with the publisher alone, after a full GC on the Node servers) / the
players playing; the young-generation column is there because V8 enlarges it under load, as in
sections 2 and 3. "Publisher in" is what the server read in the window (the players'
acknowledgements, a few bytes each, included); the players' total is what all of them received.

A player is **served well** when, over the window, it received at least
${(FULL_RATE_SHARE * 100).toFixed(0)} % of the bytes the server read from the publisher (wire bytes on
both sides: the chunk headers differ, by about 1 % at most), its first video message after the AVC
sequence header was a keyframe (so a decoder could start there), and it was still connected at
the end. Time to the first keyframe is counted from NetStream.Play.Start: with a GOP cache
(ours by default, node-media-server always) a player starts on the cached GOP at once; without
one (ours with \`gopCache: false\`; nginx-rtmp, which has none and is run with \`wait_key on\`
so that its players start at a keyframe) it waits for the next keyframe, up to 2 s.

What this leaves out: the player swarm competes with the server for the two cores (its CPU, last
column, is not the server's; it is the same program for every server). The players read as fast
as they can, so no server has to deal with a slow player here. The check is on bytes and on the
first picture, not on the content: a player is not checked to get every frame exactly once.
Latency to the players is not measured.

${fanoutTable(fanout)}`);
    for (const result of fanout) {
      if (result.openErrors.length > 0) {
        sections.push(
          `${result.kind}: ${result.players - result.playing} player(s) never played; first errors: ` +
            result.openErrors.map((error) => `\`${error}\``).join(', '),
        );
      }
      if (!result.publisherAlive) {
        sections.push(`${result.kind}: the publisher stopped before the window ended.`);
      }
    }
  }

  if (results.hostile.length > 0) {
    sections.push(hostileSection(results.hostile, results.hostileFloor));
  }

  const soak = join(__dirname, 'soak-results.md');
  if (existsSync(soak)) sections.push(readFileSync(soak, 'utf8').trim());
  const notes = join(__dirname, 'profile-notes.md');
  if (existsSync(notes)) sections.push(readFileSync(notes, 'utf8').trim());
  return `${sections.join('\n\n')}\n`;
}

function hostileSection(
  results: readonly HostileResult[],
  floor: SlotHoldersFloor | undefined,
): string {
  const unreset = results.filter((result) => !result.peakReset).map((result) => result.kind);
  const floors = HOSTILE_FLOORS;
  const ticks = Math.round(floors.cpuSeconds * 100);
  return `## 7. Hostile traffic: issue 18's attacks by peers without a stream key

The attacks of the hostile-peer suite (\`test/hostile-peers.e2e-spec.ts\`), by its own attack
clients (\`test/support/hostile/attack-clients.ts\`), one after another against one fresh
process per server; the first row is a control with no attack. Ours runs as a deployment
would: every limit on its default, and a verifier that accepts only keys the attackers do not
have (\`bench/servers/nestjs-rtmp-defaults-server.ts\`; the attacks never get as far as
\`publish\` anyway). It logs its warnings to stderr, as the bench's nginx does. nginx-rtmp runs
with the bench's configuration above (its RTMP module's defaults: \`max_message\` 1M,
\`timeout\` 60 s; \`worker_connections\` 4096, so the 1000 slot holders do not fill it),
node-media-server with its defaults.

Before each attack the server gets a full GC (Node servers), so that no attack inherits the
garbage of the one before, and its peak RSS is reset. Server CPU s is its CPU time from the
attack's start until that time stops moving afterwards (quiet for ${CPU_QUIET_MS / 1000} s): what the attack
left it to do is counted. Peak RSS growth is the peak over that stretch minus the RSS as it
started. Meanwhile a probe client from another address (${PROBE_ADDRESS}), in a process of its
own (\`bench/support/handshake-probe-process.ts\`), does a handshake every ${PROBE_INTERVAL_MS / 1000} s, for as
long as the attack lasts and at least ${MIN_PROBE_WINDOW_MS / 1000} s (the slot holders' row: from when all 1000 are
open); a probe fails when it is refused, closed, or takes over ${PROBE_TIMEOUT_MS / 1000} s. The attackers run in
the bench process; the server, they and the probe share the two cores. "Attackers closed by
the server" is seen from the attackers' side: whether the server closed the connection before
the attacker was done (for the slot holders: how many connections the server closed, of those
opened, replacements included). An attack still running after ${ATTACK_LIMIT_S} s is stopped and marked so;
its figures are then a lower bound.

**Target (issue 18): ours within 2× of nginx-rtmp on every attack**, in CPU seconds, peak RSS
growth and the slowest probe. Where nginx-rtmp's figure is below a floor, the ratio is taken
against the floor instead, marked "(floor)": ${floors.cpuSeconds} CPU s (${ticks} ticks of \`/proc\`'s 10 ms
accounting; below that, one tick either way is ${100 / ticks} % or more), ${floors.peakRssGrowth / 2 ** 20} MiB of peak RSS growth
(the size V8's young-generation semi-space starts at, which a Node process that allocates at
all may make resident), ${floors.probeMs} ms for a probe (a wait for one of the two cores the attackers
keep busy can take that long, whichever server is attacked; no person notices less). The
reasons for the rows ours misses are in the profile notes below ("Hostile traffic").
${unreset.length > 0 ? `\nThe peak RSS could not be reset on ${unreset.join(', ')}: its peaks are the process's so far.\n` : ''}
${hostileTable(results)}${floor === undefined ? '' : slotHoldersFloorLine(results, floor)}`;
}

/**
 * Under the table: the slot holders against a net.Server that only reads, which no server
 * written for Node can go below, beside nginx-rtmp and ours.
 */
function slotHoldersFloorLine(results: readonly HostileResult[], floor: SlotHoldersFloor): string {
  const row = (kind: ServerKind) =>
    byKind(results, kind)?.rows.find((candidate) => candidate.attack === floor.attack);
  const ours = row('nestjs-rtmp-defaults');
  const nginx = row('nginx-rtmp');
  const times = (value: number | undefined, base: number): string =>
    value === undefined || base <= 0 ? 'n/a' : `${(value / base).toFixed(2)}×`;
  return `

**Node floor under the slot holders:** the same 1000 dribbling connections against a
\`net.Server\` that only reads (\`bench/servers/node-floor-server.ts\`, no RTMP, no limits, so
nothing is displaced) cost ${floor.cpuSeconds.toFixed(2)} CPU s and ${(floor.peakRssGrowth / MB).toFixed(1)} MB of peak RSS growth:
${times(floor.cpuSeconds, nginx?.cpuSeconds ?? 0)} nginx-rtmp's CPU; ours used ${times(ours?.cpuSeconds, floor.cpuSeconds)} the floor's. Where the floor is past 2× of
nginx-rtmp, no server on Node's sockets can meet that row's CPU target.
`;
}

const renderAt = process.argv.indexOf('--render');
if (renderAt >= 0) {
  renderSaved(process.argv[renderAt + 1]);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
