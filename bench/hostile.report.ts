import { Headline, headline } from './before-after';
import {
  ATTACK_LIMIT_S,
  CPU_QUIET_MS,
  HostileResult,
  HostileRow,
  MIN_PROBE_WINDOW_MS,
  PROBE_ADDRESS,
  PROBE_INTERVAL_MS,
  PROBE_TIMEOUT_MS,
  SlotHoldersFloor,
} from './hostile.bench';
import { byKind, fixed, mb, table } from './report-format';
import { RenderInput, Results } from './results';
import { TargetCheck } from './targets';
import { SERVER_LABELS, ServerKind } from './support/servers';
import { MB } from './support/util';

/** The floors under nginx-rtmp's figures when ours are compared with them. */
export const HOSTILE_FLOORS = {
  /** Five ticks of /proc's CPU accounting: below it, one tick either way is 20 % or more. */
  cpuSeconds: 0.05,
  /**
   * One V8 semi-space at the size it starts with: a Node process that allocates at all may make
   * that much resident, attack or not.
   */
  peakRssGrowth: 1024 * 1024,
  /**
   * The probe shares two cores with the server and the attackers: waiting for one can take
   * some milliseconds whichever server is attacked, and a person does not notice less.
   */
  probeMs: 10,
} as const;

/** Issue 18's target: ours within this many times nginx-rtmp's figure (or its floor). */
const WITHIN = 2;

const peakRssGrowth = (row: HostileRow): number => Math.max(0, row.peakRss - row.rssBefore);
const slowestProbe = (row: HostileRow): number =>
  row.probeMs.length === 0 ? NaN : Math.max(...row.probeMs);

/** The three figures the target compares, each with its floor. */
const FIGURES = [
  { of: (row: HostileRow) => row.cpuSeconds, floor: HOSTILE_FLOORS.cpuSeconds },
  { of: peakRssGrowth, floor: HOSTILE_FLOORS.peakRssGrowth },
  { of: slowestProbe, floor: HOSTILE_FLOORS.probeMs },
] as const;

/** Ours (now or at the baseline) get their ratios to nginx-rtmp's figures; the peers do not. */
const RATIOED = (kind: ServerKind): boolean =>
  kind !== 'nginx-rtmp' && kind !== 'node-media-server';

/** `ours` over nginx-rtmp's figure, or over the floor when nginx-rtmp's is below it. */
function flooredRatio(ours: number, nginx: number, floor: number): number {
  return ours / Math.max(nginx, floor);
}

/**
 * One row per attack; each cell has one figure per server, in the order of the results. A
 * server that is neither nginx-rtmp nor node-media-server (ours, at the baseline too) has its
 * ratio to nginx-rtmp's figure beside it, "f" where nginx-rtmp's is below the floor.
 */
function hostileTable(results: readonly HostileResult[]): string {
  const nginx = byKind(results, 'nginx-rtmp');
  const attacks = results[0]?.rows.map((row) => row.attack) ?? [];
  const cell = (
    index: number,
    show: (row: HostileRow) => string,
    figure?: (typeof FIGURES)[number],
  ) =>
    results
      .map((result) => {
        const row = result.rows[index];
        const theirs = nginx?.rows[index];
        if (figure === undefined || theirs === undefined || row.control || !RATIOED(result.kind)) {
          return show(row);
        }
        const [ours, base] = [figure.of(row), figure.of(theirs)];
        if (!Number.isFinite(ours) || !Number.isFinite(base)) return show(row);
        const ratio = flooredRatio(ours, base, figure.floor);
        return `${show(row)} (${ratio.toFixed(2)}×${base < figure.floor ? ' f' : ''})`;
      })
      .join(' / ');
  return table(
    ['#', 'attack', 'attackers closed', 'CPU s', 'peak RSS growth MB', 'slowest probe ms'],
    ['r', 'l', 'l', 'r', 'r', 'r'],
    attacks.map((attack, index) => [
      String(index),
      attack,
      cell(index, (row) =>
        row.stopped ? `stopped at ${fixed(row.seconds, 1)} s` : row.outcome.closed,
      ),
      cell(index, (row) => fixed(row.cpuSeconds), FIGURES[0]),
      cell(index, (row) => mb(peakRssGrowth(row)), FIGURES[1]),
      cell(
        index,
        (row) =>
          fixed(slowestProbe(row), 1) +
          (row.probesFailed > 0
            ? ` (${row.probesFailed} of ${row.probeMs.length + row.probesFailed} failed)`
            : ''),
        FIGURES[2],
      ),
    ]),
  );
}

export function hostileSection({ results }: RenderInput): string | undefined {
  if (results.hostile.length === 0) return undefined;
  const floors = HOSTILE_FLOORS;
  const unreset = results.hostile
    .filter((result) => !result.peakReset)
    .map((result) => result.kind);
  return `## 7. Hostile traffic: issue 18's attacks, no stream key

The attacks of \`test/hostile-peers.e2e-spec.ts\` (row 0: none) in turn; ours as deployed (default
limits, no key known to the attackers). Before each: a full GC, the peak RSS reset. CPU: until
it stops moving for ${CPU_QUIET_MS / 1000} s. Probe: a handshake every ${PROBE_INTERVAL_MS / 1000} s from ${PROBE_ADDRESS} in another process, for at
least ${MIN_PROBE_WINDOW_MS / 1000} s; failed if refused, closed or over ${PROBE_TIMEOUT_MS / 1000} s. Attacks stop at ${ATTACK_LIMIT_S} s (a lower bound then).
Cells: ${results.hostile.map((result) => SERVER_LABELS[result.kind]).join(' / ')}, ours with its ratio to nginx-rtmp's figure or
a floor (f): ${floors.cpuSeconds} s (${Math.round(floors.cpuSeconds * 100)} ticks), ${floors.peakRssGrowth / 2 ** 20} MiB (V8's first semi-space), ${floors.probeMs} ms (a wait for a core).
**Target: within ${WITHIN}×** on every attack and figure; why ours misses:
[bench/profile-notes.md](bench/profile-notes.md), "Hostile traffic".${unreset.length > 0 ? `\n\nThe peak RSS could not be reset on ${unreset.join(', ')}: its peaks are the process's so far.` : ''}

${hostileTable(results.hostile)}${results.hostileFloor === undefined ? '' : floorLine(results.hostile, results.hostileFloor)}`;
}

/**
 * Under the table: the slot holders against a net.Server that only reads, which no server
 * written for Node can go below, beside nginx-rtmp and ours.
 */
function floorLine(results: readonly HostileResult[], floor: SlotHoldersFloor): string {
  const row = (kind: 'nestjs-rtmp-defaults' | 'nginx-rtmp') =>
    byKind(results, kind)?.rows.find((candidate) => candidate.attack === floor.attack);
  const floorRow = results[0]?.rows.findIndex((candidate) => candidate.attack === floor.attack);
  const ratio = (value: number | undefined, base: number | undefined): string =>
    value === undefined || base === undefined || base <= 0
      ? 'n/a'
      : `${(value / base).toFixed(2)}×`;
  return `

**Node floor** (a \`net.Server\` that only reads), row ${floorRow}: ${floor.cpuSeconds.toFixed(2)} CPU s and ${(floor.peakRssGrowth / MB).toFixed(1)} MB of peak RSS growth,
${ratio(floor.cpuSeconds, row('nginx-rtmp')?.cpuSeconds)} nginx-rtmp's CPU; ours used ${ratio(row('nestjs-rtmp-defaults')?.cpuSeconds, floor.cpuSeconds)} the floor's: past ${WITHIN}×
nginx-rtmp's, no server on Node's sockets meets that row's CPU target.
`;
}

/** Issue 18: one target row for every attack; the table has each attack's ratios. */
export function hostileChecks(results: Results): TargetCheck[] {
  const ours = byKind(results.hostile, 'nestjs-rtmp-defaults');
  const nginx = byKind(results.hostile, 'nginx-rtmp');
  if (ours === undefined) return [];
  const verdicts = ours.rows
    .map((row, index) => ({
      row,
      index,
      theirs: nginx?.rows.find((their) => their.attack === row.attack),
    }))
    .filter(({ row }) => !row.control)
    .map(({ row, index, theirs }) => ({
      index,
      met:
        theirs === undefined
          ? undefined
          : FIGURES.every(
              (figure) => flooredRatio(figure.of(row), figure.of(theirs), figure.floor) <= WITHIN,
            ),
    }));
  const missed = verdicts
    .filter((verdict) => verdict.met === false)
    .map((verdict) => verdict.index);
  const unmatched = verdicts.filter((verdict) => verdict.met === undefined).length;
  return [
    {
      target: `Hostile traffic: within ${WITHIN}× of nginx-rtmp on every attack`,
      variant: 'nestjs-rtmp',
      measured:
        `${verdicts.length - missed.length - unmatched} of ${verdicts.length}` +
        (missed.length > 0 ? `, missed: #${missed.join(', #')}` : '') +
        (unmatched > 0 ? `, ${unmatched} not run on nginx-rtmp` : ''),
      met: missed.length > 0 ? false : unmatched > 0 ? undefined : true,
    },
  ];
}

export function hostileHeadlines(results: Results): Headline[] {
  const attacks = (result: HostileResult): HostileRow[] =>
    result.rows.filter((row) => !row.control);
  return [
    headline('Hostile traffic: CPU s, all attacks', 2, results.hostile, (result) =>
      attacks(result).reduce((sum, row) => sum + row.cpuSeconds, 0),
    ),
    headline(
      'Hostile traffic: largest peak RSS growth MB',
      1,
      results.hostile,
      (result) => Math.max(...attacks(result).map(peakRssGrowth)) / MB,
    ),
    headline('Hostile traffic: slowest probe ms', 1, results.hostile, (result) =>
      Math.max(...attacks(result).map(slowestProbe).filter(Number.isFinite)),
    ),
  ];
}
