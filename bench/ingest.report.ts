import { Headline, headline } from './before-after';
import { IngestResult, IngestRound, roundCpuPerGb } from './ingest.bench';
import { byKind, Column, columns, fixed, judged, mb, range, ratio } from './report-format';
import { FloodResult, RenderInput, Results } from './results';
import { over, TargetCheck, TargetColumn } from './targets';
import { TestMediaSpec } from '../test/support/test-media';
import { SERVER_LABELS, ServerKind } from './support/servers';
import { MB, median } from './support/util';
import { NEST_VARIANTS, OurVariant } from './settings';

/** e.g. "720p30 2.5 Mbit/s". */
export function clipLabel(spec: TestMediaSpec): string {
  const bitrate = /^(\d+)([kM])$/.exec(spec.videoBitrate);
  const mbits =
    bitrate === null
      ? spec.videoBitrate
      : String(Number(bitrate[1]) / (bitrate[2] === 'k' ? 1000 : 1));
  return `${spec.height}p${spec.frameRate} ${mbits} Mbit/s`;
}

/** CPU s per GB, the median over rounds (what every ratio and target reads). */
const roundsCpuPerGb = (result: IngestResult): number[] => result.rounds.map(roundCpuPerGb);
const cpuPerGb = (result: IngestResult): number => median(roundsCpuPerGb(result));
const roundMbPerSecond = (round: IngestRound): number => round.bytes / MB / round.seconds;

/** The servers of every flood, in the order they first ran. */
function floodKinds(floods: readonly FloodResult[]): ServerKind[] {
  return [...new Set(floods.flatMap((flood) => flood.results.map((result) => result.kind)))];
}

/** Each clip's result of `kind`, undefined where it did not run. */
const resultsOf = (floods: readonly FloodResult[], kind: ServerKind) =>
  floods.map((flood) => byKind(flood.results, kind));

/** What the flood table's ratios divide by, in its order, and their column's header. */
const REFERENCES: readonly ServerKind[] = ['nginx-rtmp', 'nginx-rtmp-65536', 'node-floor-publish'];
const RATIOS = '÷ nginx 4096 / 65536 / floor';

/**
 * One row per server: on each clip its CPU s per GB, median (range), and on a realistic clip
 * that median over nginx-rtmp's at 4096 and at 65536 and over the Node floor's; then its median
 * MB/s on each clip, and the peak RSS of any.
 */
function floodTable(floods: readonly FloodResult[]): string {
  const cpu = (kind: ServerKind, result: IngestResult | undefined): string =>
    result === undefined
      ? ''
      : `${judged(kind, fixed(cpuPerGb(result)))} (${range(result.rounds.map(roundCpuPerGb), 2)})`;
  const ratios = (flood: FloodResult, result: IngestResult | undefined): string =>
    result === undefined
      ? ''
      : REFERENCES.map((reference) => {
          const theirs = byKind(flood.results, reference);
          return fixed(over(cpuPerGb(result), theirs && cpuPerGb(theirs)));
        }).join(' / ');
  const mbps = (result: IngestResult | undefined): string =>
    result === undefined ? '–' : fixed(median(result.rounds.map(roundMbPerSecond)), 0);
  return columns(floodKinds(floods), [
    ['server', 'l', (kind) => SERVER_LABELS[kind]],
    ...floods.flatMap((flood, at): Column<ServerKind>[] => {
      const result = (kind: ServerKind): IngestResult | undefined => resultsOf(floods, kind)[at];
      const figures: Column<ServerKind> = [
        clipLabel(flood.clip.spec),
        'r',
        (kind) => cpu(kind, result(kind)),
      ];
      if (!flood.headline) return [figures];
      return [figures, [RATIOS, 'r', (kind) => ratios(flood, result(kind))]];
    }),
    ['MB/s', 'r', (kind) => resultsOf(floods, kind).map(mbps).join(' / ')],
    [
      'peak RSS MB',
      'r',
      (kind) => mb(Math.max(...resultsOf(floods, kind).map((result) => result?.peakRss ?? 0))),
    ],
  ]);
}

/** Rounds that did not complete, or whose stream a counting server found short. */
function shortfalls(results: readonly IngestResult[], what = ''): string[] {
  return results.flatMap((result) => {
    const failed = result.rounds.filter((round) => !round.completed || round.intact === false);
    if (failed.length === 0) return [];
    return [`${SERVER_LABELS[result.kind]}${what}: ${failed.length} of ${result.rounds.length}`];
  });
}

/** That every round completed with every packet counted, or which did not. */
function shortfallNote(failed: readonly string[]): string {
  return failed.length === 0
    ? 'Every round completed, every packet counted (by all but nginx-rtmp and the floors).'
    : `**Rounds not completed or short of packets:** ${failed.join('; ')}.`;
}

/** FFmpeg's publish flood, and the replayed one; then whether every round of both went through. */
export function ingestSection(input: RenderInput): string | undefined {
  const parts = [floodPart(input), replayPart(input)].filter((part) => part !== undefined);
  if (parts.length === 0) return undefined;
  const { floods, replay4096, replay128 } = input.results;
  const failed = [
    ...floods.flatMap((flood) => shortfalls(flood.results, `, ${clipLabel(flood.clip.spec)}`)),
    ...shortfalls(replay4096, ', replay at 4096'),
    ...shortfalls(replay128, ', replay at 128'),
  ];
  return `## 1. Ingest flood\n\n${parts.join('\n\n')}\n\n${shortfallNote(failed)}`;
}

function floodPart({ results }: RenderInput): string | undefined {
  const { floods } = results;
  if (floods.length === 0) return undefined;
  const clips = floods.map(({ clip }) => {
    const plays = clip.plays ?? 1;
    const size = `${(clip.fileBytes / MB).toFixed(1)} MB${plays > 1 ? ` × ${plays}` : ''}`;
    return `${clipLabel(clip.spec)} (${size}, ${clip.video + clip.audio} messages)`;
  });
  const rounds = floods[0].results[0]?.rounds.length ?? 0;
  return `FFmpeg publishes H.264 + AAC clips, looped, \`-c copy\`, no \`-re\`: ${clips.join(', ')}, in the chunk size the
server announces (ours, the floor 60000; nginx-rtmp 4096 or 65536; node-media-server 65535). Servers side by side, taking
turns: a quarter round unmeasured, then ${rounds} rounds. CPU s per GB: scheduler ns (all threads) over bytes read, median
(range) of rounds, and over nginx-rtmp's and the Node floor's.

${floodTable(floods)}`;
}

/** The replay at 4096 and at 128, a row per server. */
function replayPart({ results }: RenderInput): string | undefined {
  const { replay4096, replay128 } = results;
  if (replay4096.length === 0) return undefined;
  const at = (r: IngestResult): IngestResult | undefined => byKind(replay128, r.kind);
  const mbps = (r: IngestResult | undefined): string =>
    r === undefined
      ? ''
      : `${judged(r.kind, fixed(r.mbPerSecond, 0))} (${range(r.rounds.map(roundMbPerSecond))})`;
  const cpu = (r: IngestResult | undefined): string =>
    r === undefined ? '' : judged(r.kind, fixed(cpuPerGb(r), 2));
  return `**1b. Replay flood.** The 20 Mbit/s clip's publish, recorded, replayed (\`bench/support/replay.ts\`) after an
unmeasured replay: after Publish.Start as fast as the socket takes it (raw to the Node floor). MB/s: those bytes until
the server has read them all and closes.

${columns(replay4096, [
  ['server', 'l', (r) => SERVER_LABELS[r.kind]],
  ['4096: MB/s (range)', 'r', mbps],
  ['CPU s per GB', 'r', cpu],
  ['128: MB/s (range)', 'r', (r) => mbps(at(r))],
  ['CPU s per GB', 'r', (r) => cpu(at(r))],
  ['peak RSS MB', 'r', (r) => mb(Math.max(r.peakRss, at(r)?.peakRss ?? 0))],
])}`;
}

/**
 * The variants the flood's targets judge: bare, and through Nest. The Nest path with the flag
 * has its ratios in the flood table.
 */
const FLOOD_JUDGED: readonly OurVariant[] = ['nestjs-rtmp', 'nestjs-rtmp-nest'];

/** Issue 21's limits on CPU per GB over nginx-rtmp's: bare, and through Nest. */
const ISSUE_21_LIMITS = [
  { nginx: 'nginx-rtmp', chunkSize: 4096, bare: 1.1, nest: 1.3 },
  { nginx: 'nginx-rtmp-65536', chunkSize: 65536, bare: 1.4, nest: 1.6 },
] as const;

/** What a flood target's cell holds a figure of, in order: e.g. "720p30 / 1080p60". */
export function floodTargetClips(results: Results): string | undefined {
  const floods = results.floods.filter((flood) => flood.headline);
  if (floods.length === 0) return undefined;
  return floods.map((flood) => clipLabel(flood.clip.spec).split(' ')[0]).join(' / ');
}

/**
 * Issue 21's targets on the realistic clips, each cell a figure per clip (see
 * floodTargetClips), met where every clip meets it, with the Node floor's ratio beside ours;
 * and issue 6's that they leave standing.
 */
export function ingestChecks(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const floods = results.floods.filter((flood) => flood.headline);
  /** `kind`'s CPU per GB over `reference`'s, per clip; NaN where either did not run. */
  const ratios = (kind: ServerKind, reference: ServerKind): number[] =>
    floods.map((flood) => {
      const [ours, theirs] = [byKind(flood.results, kind), byKind(flood.results, reference)];
      return ours === undefined ? NaN : over(cpuPerGb(ours), theirs && cpuPerGb(theirs));
    });
  /** A ratio per clip, met at or below `limit` (below it, `strictly`) on every clip. */
  const judge = (
    target: string,
    column: TargetColumn,
    values: number[],
    limit: number,
    strictly = false,
  ): void => {
    if (values.every(Number.isNaN)) return;
    const meets = (value: number): boolean => (strictly ? value < limit : value <= limit);
    checks.push({
      target,
      variant: column,
      measured: values.map((value) => ratio(value, limit)).join(' / '),
      met: values.some(Number.isNaN) ? undefined : values.every(meets),
    });
  };
  if (floods.length > 0) {
    for (const { nginx, chunkSize, bare, nest } of ISSUE_21_LIMITS) {
      const target = `Flood: CPU/GB ≤ ${bare}× nginx-rtmp’s at ${chunkSize} (through Nest ${nest}×)`;
      for (const variant of FLOOD_JUDGED) {
        const limit = NEST_VARIANTS.includes(variant) ? nest : bare;
        judge(target, variant, ratios(variant, nginx), limit);
      }
      judge(target, 'node-floor-publish', ratios('node-floor-publish', nginx), bare);
    }
  }
  for (const variant of FLOOD_JUDGED) {
    judge(
      'Flood: CPU/GB < 0.4× node-media-server’s',
      variant,
      ratios(variant, 'node-media-server'),
      0.4,
      true,
    );
  }
  const mbps = (flood: FloodResult, kind: ServerKind): number => {
    const result = byKind(flood.results, kind);
    return result === undefined ? NaN : median(result.rounds.map(roundMbPerSecond));
  };
  const ours = floods.map((flood) => mbps(flood, 'nestjs-rtmp'));
  const peers = floods.map((flood) =>
    Math.max(mbps(flood, 'nginx-rtmp'), mbps(flood, 'node-media-server')),
  );
  if (ours.some(Number.isFinite)) {
    checks.push({
      target: 'Flood: MB/s no lower than either peer’s',
      variant: 'nestjs-rtmp',
      measured: `${ours.map((value) => fixed(value, 0)).join(' / ')} vs ${peers.map((value) => fixed(value, 0)).join(' / ')}`,
      met: peers.some(Number.isNaN) ? undefined : ours.every((value, at) => value >= peers[at]),
    });
  }
  const replay = byKind(results.replay4096, 'nestjs-rtmp');
  if (replay !== undefined) {
    checks.push({
      target: 'Replay flood at 4096: ≥ 500 MB/s on one core',
      variant: 'nestjs-rtmp',
      measured: `${replay.mbPerSecond.toFixed(0)} MB/s`,
      met: replay.mbPerSecond >= 500,
    });
  }
  return checks;
}

/** The realistic clips' CPU per GB (median of rounds) and the replays'. */
export function ingestHeadlines(results: Results): Headline[] {
  return [
    ...results.floods
      .filter((flood) => flood.headline)
      .map((flood) =>
        headline(
          `Flood ${clipLabel(flood.clip.spec)}: CPU s per GB`,
          2,
          flood.results,
          cpuPerGb,
          roundsCpuPerGb,
        ),
      ),
    headline('Replay at 4096: CPU s per GB', 2, results.replay4096, cpuPerGb, roundsCpuPerGb),
    headline('Replay at 128: CPU s per GB', 2, results.replay128, cpuPerGb, roundsCpuPerGb),
  ];
}
