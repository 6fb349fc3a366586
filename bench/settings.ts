import { join } from 'path';
import { TestMediaSpec } from '../test/support/test-media';
import { FLOOD_MEDIA, LIVE_MEDIA, MEDIA_1080P60 } from './support/media';
import {
  baselineTwin,
  NginxKind,
  OurKind,
  SERVER_KINDS,
  ServerKind,
  MERGED_WRITE_MS,
  SMALL_YOUNG_GENERATION_FLAG,
  WORK_DIR,
} from './support/servers';
import { MB } from './support/util';

/*
 * What `npm run bench` runs, and the environment knobs that change it, for development only (a
 * run with BENCH_ONLY, BENCH_SERVERS, BENCH_QUICK or BENCH_CORES writes
 * .bench-work/BENCHMARKS.partial.md instead of BENCHMARKS.md):
 *   BENCH_ONLY=codec,flood,replay,publishers,idle,latency,fanout,hostile,e2e-latency
 *                                                      scenarios to run
 *   BENCH_SERVERS=nestjs-rtmp,nginx-rtmp,node-media-server  servers to run them on
 *   BENCH_QUICK=1                                          short runs
 *   BENCH_PROFILE=1     our server runs with --cpu-prof (profiles in .bench-work/profiles)
 *   BENCH_BASELINE=<git rev>  ours is also run built from that commit, beside the current code,
 *                             and the report compares the two (see ./baseline.ts)
 *   BENCH_CORES=apart|shared|none   which core servers and load generators run on (see
 *                                   ./support/cores.ts; apart by default)
 */

export const SCENARIOS = [
  'codec',
  'flood',
  'replay',
  'publishers',
  'idle',
  'latency',
  'fanout',
  'hostile',
  'e2e-latency',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Settings {
  readonly only: readonly Scenario[] | undefined;
  readonly serverKinds: readonly ServerKind[];
  readonly profileDir: string | undefined;
  readonly baselineRev: string | undefined;
  /** Written to the partial report: not the full run BENCHMARKS.md holds. */
  readonly partial: boolean;
  readonly floodRounds: number;
  /** About what a flood round sends: FFmpeg publishes each clip as many times over. */
  readonly floodBytes: number;
  readonly replayRounds: number;
  /** Scenario 2's runs, each the number of publishers at once. */
  readonly publisherRuns: readonly number[];
  readonly idleConnections: number;
  readonly latencyPublishers: number;
  readonly fanout: { readonly players: number; readonly windowMs: number };
  /** Publisher → player latency: each window, and the real-time publishers beside the probe. */
  readonly e2eLatency: { readonly windowMs: number; readonly publishersBeside: number };
  /** The clip of the publishers, the latency and the fan-out. */
  readonly liveMedia: TestMediaSpec;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const quick = env.BENCH_QUICK === '1';
  const only = env.BENCH_ONLY?.split(',') as Scenario[] | undefined;
  const unknown = only?.filter((scenario) => !SCENARIOS.includes(scenario));
  if (unknown !== undefined && unknown.length > 0) {
    throw new Error(`BENCH_ONLY: no scenario ${unknown.join(', ')} (${SCENARIOS.join(', ')})`);
  }
  return {
    only,
    serverKinds: (env.BENCH_SERVERS?.split(',') as ServerKind[] | undefined) ?? SERVER_KINDS,
    profileDir: env.BENCH_PROFILE === '1' ? join(WORK_DIR, 'profiles') : undefined,
    baselineRev: env.BENCH_BASELINE || undefined,
    partial:
      quick ||
      only !== undefined ||
      env.BENCH_SERVERS !== undefined ||
      (env.BENCH_CORES ?? 'apart') !== 'apart',
    ...(quick
      ? {
          floodRounds: 1,
          floodBytes: 100 * MB,
          replayRounds: 1,
          publisherRuns: [5, 10],
          idleConnections: 200,
          latencyPublishers: 3,
          fanout: { players: 50, windowMs: 5_000 },
          e2eLatency: { windowMs: 5_000, publishersBeside: 20 },
          liveMedia: { ...LIVE_MEDIA, seconds: 6 },
        }
      : {
          floodRounds: 6,
          floodBytes: 400 * MB,
          replayRounds: 3,
          publisherRuns: [20, 50, 50, 50],
          idleConnections: 1000,
          latencyPublishers: 10,
          fanout: { players: 200, windowMs: 15_000 },
          e2eLatency: { windowMs: 12_000, publishersBeside: 100 },
          liveMedia: LIVE_MEDIA,
        }),
  };
}

export function wanted(settings: Settings, scenario: Scenario): boolean {
  return settings.only === undefined || settings.only.includes(scenario);
}

/**
 * Ours as configured otherwise, and how the targets table names each: with the GOP cache off
 * (nginx has none), with V8's young generation capped (the memory that saves, the CPU it
 * costs), the players' latency traded for CPU (see FANOUT_VARIANTS), and through Nest as users
 * run it (a Nest application, `packets()` subscribers). The one with default limits serves the
 * hostile-traffic scenario alone.
 */
export const OUR_VARIANTS = {
  'nestjs-rtmp': 'ours',
  'nestjs-rtmp-no-gop': 'with `gopCache: false`',
  'nestjs-rtmp-small-young': `run with \`${SMALL_YOUNG_GENERATION_FLAG}\``,
  'nestjs-rtmp-nagle': 'with `playersNoDelay: false`',
  'nestjs-rtmp-merged': `with \`playerWriteMergeMs: ${MERGED_WRITE_MS}\``,
  'nestjs-rtmp-nest': 'through Nest',
  'nestjs-rtmp-nest-small-young': `through Nest, run with \`${SMALL_YOUNG_GENERATION_FLAG}\``,
} as const satisfies Partial<Record<OurKind, string>>;
export type OurVariant = keyof typeof OUR_VARIANTS;
export const GOP_VARIANTS: readonly OurVariant[] = ['nestjs-rtmp', 'nestjs-rtmp-no-gop'];
/**
 * The fan-out's: the defaults and the GOP cache off, and the two ways of trading a player's
 * latency for the server's CPU (Nagle's algorithm, merged writes).
 */
export const FANOUT_VARIANTS: readonly OurVariant[] = [
  ...GOP_VARIANTS,
  'nestjs-rtmp-nagle',
  'nestjs-rtmp-merged',
];
/** The bare RtmpServer's variants that the many-publishers scenario runs. */
export const BARE_VARIANTS: readonly OurVariant[] = [
  'nestjs-rtmp',
  'nestjs-rtmp-no-gop',
  'nestjs-rtmp-small-young',
];
export const NEST_VARIANTS: readonly OurVariant[] = [
  'nestjs-rtmp-nest',
  'nestjs-rtmp-nest-small-young',
];

/** A clip of the ingest flood; the realistic ones are its headline, on every flood server. */
export interface FloodClip {
  readonly spec: TestMediaSpec;
  readonly headline: boolean;
}

/**
 * What a live encoder sends at 720p30 and at 1080p60 (issue 21), then the 20 Mbit/s clip the
 * flood used to run, on fewer servers: its few large messages hide per-message costs.
 */
export const FLOOD_CLIPS: readonly FloodClip[] = [
  { spec: LIVE_MEDIA, headline: true },
  { spec: MEDIA_1080P60, headline: true },
  { spec: FLOOD_MEDIA, headline: false },
];

/**
 * The flood's servers of ours for a headline clip, and for the other: bare, and through Nest,
 * on a headline clip also with V8's young generation capped (bench/profile-notes.md, issue 21:
 * under a flood the Nest process spends a third of its time collecting).
 */
export const FLOOD_VARIANTS = {
  headline: ['nestjs-rtmp', ...NEST_VARIANTS],
  other: ['nestjs-rtmp', 'nestjs-rtmp-nest'],
} as const satisfies Record<string, readonly OurVariant[]>;
/** Both nginx-rtmp chunk sizes, where ours announces 60000: 4096 is nginx's default. */
export const NGINX_KINDS: readonly NginxKind[] = ['nginx-rtmp', 'nginx-rtmp-65536'];

/**
 * `kinds` with ours replaced by `variants`, and nginx-rtmp by `nginx`, right where each was.
 */
export function withVariants(
  kinds: readonly ServerKind[],
  variants: readonly ServerKind[],
  nginx: readonly ServerKind[] = ['nginx-rtmp'],
): ServerKind[] {
  return kinds.flatMap((kind): ServerKind[] => {
    if (kind === 'nestjs-rtmp') return [...variants];
    return kind === 'nginx-rtmp' ? [...nginx] : [kind];
  });
}

/**
 * `kinds` with each of ours that has a baseline twin followed by it, where the baseline's build
 * has that server.
 */
export function withBaselines(kinds: readonly ServerKind[], baselineBuild: string): ServerKind[] {
  return kinds.flatMap((kind): ServerKind[] => {
    const twin = baselineTwin(kind, baselineBuild);
    return twin === undefined ? [kind] : [kind, twin];
  });
}
