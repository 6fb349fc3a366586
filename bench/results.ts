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

/** What a run measured, scenario by scenario (empty where a scenario did not run). */
export interface Results {
  codec: ChunkCodecResult[];
  sessionPath: SessionPathResult[];
  flood: IngestResult[];
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
  readonly flood: BenchClip | undefined;
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

export function loadInput(file: string): RenderInput {
  return JSON.parse(readFileSync(file, 'utf8'), restoreNonFinite) as RenderInput;
}

/** JSON has no NaN or Infinity (a ratio with nothing to compare, say): kept as strings. */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function restoreNonFinite(_key: string, value: unknown): unknown {
  return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : value;
}
