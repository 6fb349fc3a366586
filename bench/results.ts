import { readFileSync, writeFileSync } from 'fs';
import { ChunkCodecResult } from './chunk-codec.bench';
import { E2eLatencyResult } from './e2e-latency.bench';
import { FanoutResult } from './fanout.bench';
import { HostileResult, SlotHoldersFloor } from './hostile.bench';
import { IdleResult } from './idle.bench';
import { IngestResult } from './ingest.bench';
import { LatencyResult } from './latency.bench';
import { PublishersResult } from './publishers.bench';
import { SessionPathResult } from './session.bench';
import { Machine } from './support/machine';
import { BenchClip } from './support/media';
import { ServerKind } from './support/servers';

/** One clip's ingest flood: every server's rounds. */
export interface FloodResult {
  readonly clip: BenchClip;
  /** A realistic clip, on every flood server, which the targets judge (see FLOOD_CLIPS). */
  readonly headline: boolean;
  readonly results: IngestResult[];
}

/** What a run measured, scenario by scenario (empty where a scenario did not run). */
export interface Results {
  codec: ChunkCodecResult[];
  sessionPath: SessionPathResult[];
  floods: FloodResult[];
  replay128: IngestResult[];
  replay4096: IngestResult[];
  publishers: PublishersResult[];
  idle: IdleResult[];
  latency: LatencyResult | undefined;
  /** The baseline's latency app, with BENCH_BASELINE. */
  latencyBaseline?: LatencyResult;
  fanout: FanoutResult[];
  hostile: HostileResult[];
  /** The slot holders against the Node floor, beside the hostile table. */
  hostileFloor?: SlotHoldersFloor;
  /** Publisher → player latency (absent from runs saved before the scenario). */
  e2eLatency?: E2eLatencyResult[];
}

/** The commit BENCH_BASELINE named, which ours was also built from. */
export interface BaselineInfo {
  /** As given, e.g. "5db74c8" or "main~3". */
  readonly rev: string;
  /** Its abbreviated hash. */
  readonly commit: string;
}

/** Everything the report is rendered from, saved with each run (bench-results.json). */
export interface RenderInput {
  readonly results: Results;
  /** The clip of the publishers, the latency and the fan-out. */
  readonly live: BenchClip | undefined;
  /** The day the run started, YYYY-MM-DD. */
  readonly date: string;
  readonly minutes: number;
  readonly loadAtStart: number;
  readonly machine: Machine & { readonly loads: readonly string[] };
  readonly versions: Partial<Record<ServerKind, string>>;
  readonly baseline?: BaselineInfo;
  /** Not the full run BENCHMARKS.md holds: some scenarios or servers, or short runs. */
  readonly partial?: boolean;
}

export function saveInput(file: string, input: RenderInput): void {
  writeFileSync(file, `${JSON.stringify(input, keepNonFinite, 2)}\n`);
}

/** The scenarios' lists a results file holds, each empty where its scenario did not run. */
const RESULT_LISTS = [
  'codec',
  'sessionPath',
  'floods',
  'replay128',
  'replay4096',
  'publishers',
  'idle',
  'fanout',
  'hostile',
] as const satisfies readonly (keyof Results)[];

/**
 * A saved run, as this version of the report reads it. A file saved before the flood ran
 * several clips holds one flood (`results.flood`, of the clip `flood`): it becomes the
 * 20 Mbit/s row. Throws, saying what is missing, on a file it cannot read that way.
 */
export function loadInput(file: string): RenderInput {
  const saved = JSON.parse(readFileSync(file, 'utf8'), restoreNonFinite) as SavedInput;
  if (typeof saved !== 'object' || saved === null || saved.results === undefined) {
    throw new Error(`${file}: not a results file of \`npm run bench\` (no "results")`);
  }
  const { flood: floodClip, results: savedResults, ...rest } = saved;
  const { flood, ...results } = savedResults;
  if (results.floods === undefined && flood !== undefined) {
    results.floods =
      flood.length > 0 && floodClip !== undefined
        ? [{ clip: floodClip, headline: false, results: flood }]
        : [];
  }
  const missing = RESULT_LISTS.filter((list) => !Array.isArray(results[list]));
  if (missing.length > 0 || saved.machine === undefined) {
    throw new Error(
      `${file}: saved by a version of the bench this one cannot render ` +
        `(no ${[...missing.map((list) => `results.${list}`), ...(saved.machine === undefined ? ['machine'] : [])].join(', ')}); ` +
        'run `npm run bench` again',
    );
  }
  return { ...rest, results: results as Results };
}

/** A results file as saved by this version or an earlier one. */
type SavedInput = Omit<RenderInput, 'results'> & {
  readonly results: Partial<Results> & { readonly flood?: IngestResult[] };
  /** Before the flood ran several clips: its one clip. */
  readonly flood?: BenchClip;
};

/** JSON has no NaN or Infinity (a ratio with nothing to compare, say): kept as strings. */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function restoreNonFinite(_key: string, value: unknown): unknown {
  return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : value;
}
