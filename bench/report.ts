import { ChunkCodecResult } from './chunk-codec.bench';
import { FanoutResult } from './fanout.bench';
import {
  flooredRatio,
  HOSTILE_FLOORS,
  HostileResult,
  HostileRow,
  medianProbe,
  peakRssGrowth,
  slowestProbe,
} from './hostile.bench';
import { IdleResult } from './idle.bench';
import { IngestResult } from './ingest.bench';
import { LatencyResult } from './latency.bench';
import { PublishersResult } from './publishers.bench';
import { SessionPathResult } from './session.bench';
import { ServerKind, SERVER_LABELS } from './support/servers';
import { MB } from './support/util';

const mb = (bytes: number): string => (bytes / MB).toFixed(1);
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const fixed = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
const yesNo = (value: boolean | undefined, none = 'not counted'): string =>
  value === undefined ? none : value ? 'yes' : '**no**';

export function table(
  header: readonly string[],
  align: readonly ('l' | 'r')[],
  rows: readonly string[][],
): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

export function chunkTable(results: readonly ChunkCodecResult[]): string {
  const percent = (share: number | undefined): string =>
    share === undefined ? 'none fit' : `${(share * 100).toFixed(0)} %`;
  return table(
    [
      'chunk size',
      'stream',
      'reader MB/s (CPU)',
      'writer MB/s (CPU)',
      'media messages handed out as views',
      'of those that fit one chunk',
    ],
    ['r', 'l', 'r', 'r', 'r', 'r'],
    results.map((r) => [
      String(r.chunkSize),
      `${(r.streamBytes / 1e6).toFixed(1)} MB, ${r.messages} messages`,
      `**${r.readerMBps.toFixed(0)}**`,
      r.writerMBps.toFixed(0),
      `${(r.zeroCopyShare * 100).toFixed(0)} %`,
      percent(r.zeroCopyShareOfSingleChunk),
    ]),
  );
}

export function sessionTable(results: readonly SessionPathResult[]): string {
  return table(
    ['chunk size', 'media bytes per round', 'MB/s (CPU)', 'packets per round'],
    ['r', 'r', 'r', 'r'],
    results.map((r) => [
      String(r.chunkSize),
      `${(r.mediaBytes / MB).toFixed(1)} MB`,
      `**${r.mbPerCpuSecond.toFixed(0)}**`,
      String(r.packets),
    ]),
  );
}

function range(values: readonly number[], digits = 0): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'n/a';
  return `${Math.min(...finite).toFixed(digits)}–${Math.max(...finite).toFixed(digits)}`;
}

export function ingestTable(results: readonly IngestResult[]): string {
  return table(
    [
      'server',
      'rounds',
      'MB/s (median)',
      'MB/s (range)',
      'server CPU s per GB',
      'server peak RSS MB',
      'all rounds completed',
      'every packet counted',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    results.map((r) => [
      SERVER_LABELS[r.kind],
      String(r.rounds.length),
      `**${fixed(r.mbPerSecond, 0)}**`,
      range(r.rounds.map((round) => round.bytes / MB / round.seconds)),
      `**${fixed(r.cpuSecondsPerGb, 2)}**`,
      mb(r.peakRss),
      yesNo(r.rounds.every((round) => round.completed)),
      yesNo(
        r.rounds.some((round) => round.intact === undefined)
          ? undefined
          : r.rounds.every((round) => round.intact),
        'not counted (bytes only)',
      ),
    ]),
  );
}

export function publishersTable(results: readonly PublishersResult[]): string {
  const rows: string[][] = [];
  for (const result of results) {
    for (const [index, run] of result.runs.entries()) {
      rows.push([
        index === 0 ? SERVER_LABELS[result.kind] : '',
        String(index + 1),
        String(run.publishers),
        fixed(run.seconds, 1),
        `**${fixed(run.cpuPercent, 1)}**`,
        `**${mb(run.peakRss)}**`,
        mb(run.endRss),
        result.kind === 'nginx-rtmp' ? 'n/a' : mb(run.endYoungGeneration),
        run.peakGopCacheBytes === undefined ? 'n/a' : mb(run.peakGopCacheBytes),
        `${run.completed}/${run.publishers}`,
        run.intact === undefined ? 'not counted' : `${run.intact}/${run.publishers}`,
        mb(run.bytesIn),
      ]);
    }
  }
  return table(
    [
      'server',
      'run',
      'publishers',
      'wall s',
      'server CPU % of a core',
      'peak RSS MB',
      'RSS MB 1 s after',
      'of which V8 young generation MB',
      'GOP cache content MB (peak)',
      'FFmpeg exit 0',
      'streams intact',
      'MB received',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows,
  );
}

export function idleTable(results: readonly IdleResult[]): string {
  const node = (r: IdleResult): boolean => r.kind !== 'nginx-rtmp';
  return table(
    [
      'server',
      'connections',
      'RSS before MB',
      'RSS with them MB',
      'KB per connection',
      'after a full GC',
      'V8 young generation MB, before → with',
      'KB per connection without that growth',
      'JS heap + external KB per connection',
      'open (client / server count)',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    results.map((r) => [
      SERVER_LABELS[r.kind],
      String(r.connections),
      mb(r.rssBefore),
      mb(r.rssWith),
      `**${kb(r.rssPerConnection)}**`,
      node(r) ? kb(r.rssPerConnectionAfterGc) : 'n/a',
      node(r) ? `${mb(r.youngBefore)} → ${mb(r.youngWith)}` : 'n/a',
      node(r) ? kb(r.rssPerConnectionWithoutYoung) : 'n/a',
      r.heapPerConnection === undefined ? 'n/a' : kb(r.heapPerConnection),
      `${r.stillOpen} / ${r.serverCount ?? 'n/a'}`,
    ]),
  );
}

export function latencyTable(result: LatencyResult): string {
  const us = (value: number): string => fixed(value, 0);
  const row = (what: string, s: LatencyResult['report']['listener']): string[] => [
    what,
    String(s.samples),
    us(s.p50),
    us(s.p90),
    `**${us(s.p99)}**`,
    us(s.p999),
    us(s.max),
  ];
  return table(
    ['consumer', 'packets', 'p50 µs', 'p90 µs', 'p99 µs', 'p99.9 µs', 'max µs'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    [
      row('`RtmpServerService.packets()` subscriber', result.report.observable),
      row('plain `LiveStream.onPacket` listener (for comparison)', result.report.listener),
    ],
  );
}

export function fanoutTable(results: readonly FanoutResult[]): string {
  const percent = (share: number): string => `${fixed(share * 100, 0)} %`;
  return table(
    [
      'server',
      'players playing',
      'server CPU % of a core',
      'of which in the kernel',
      'write calls /s',
      'peak RSS MB',
      'RSS before → with players MB',
      'KB per player',
      'V8 young generation MB, before → with',
      'publisher in MB/s',
      'players’ total MB/s',
      'served well',
      'at full rate / started on a keyframe / still open',
      'lowest / median player’s share',
      'median ms to first keyframe',
      'player swarm CPU %',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    results.map((r) => [
      SERVER_LABELS[r.kind],
      `${r.playing}/${r.players}`,
      `**${fixed(r.cpuPercent, 1)}**`,
      fixed(r.systemCpuPercent, 1),
      r.kind === 'nginx-rtmp' ? 'n/a' : fixed(r.writeCallsPerSecond, 0),
      `**${mb(r.peakRss)}**`,
      `${mb(r.rssBefore)} → ${mb(r.rssWith)}`,
      `**${kb(r.rssPerPlayer)}**`,
      r.kind === 'nginx-rtmp' ? 'n/a' : `${mb(r.youngBefore)} → ${mb(r.youngWith)}`,
      fixed(r.publisherMBps, 3),
      fixed(r.playersMBps, 1),
      `**${r.servedWell}/${r.players}**`,
      `${r.fullRate} / ${r.startedOnKeyFrame} / ${r.stillOpen}`,
      `${percent(r.lowestShare)} / ${percent(r.medianShare)}`,
      fixed(r.medianMsToKeyFrame, 0),
      fixed(r.swarmCpuPercent, 1),
    ]),
  );
}

/** `ours` against nginx-rtmp's figure with its floor, e.g. "1.4×", "2.1× (floor)". */
function againstNginx(ours: number, nginx: number | undefined, floor: number): string {
  if (nginx === undefined || !Number.isFinite(ours) || !Number.isFinite(nginx)) return 'n/a';
  const value = flooredRatio(ours, nginx, floor);
  return `${value.toFixed(2)}×${nginx < floor ? ' (floor)' : ''}`;
}

/**
 * Scenario 7: one row per attack and server, attacks in order; every server that is not
 * nginx-rtmp gets its ratios to nginx-rtmp's figures on the same attack.
 */
export function hostileTable(results: readonly HostileResult[]): string {
  const nginx = results.find((result) => result.kind === 'nginx-rtmp');
  const rows: string[][] = [];
  const attacks = results[0]?.rows.map((row) => row.attack) ?? [];
  for (const [index, attack] of attacks.entries()) {
    for (const result of results) {
      const row = result.rows[index];
      const theirs: HostileRow | undefined = nginx?.rows[index];
      const compared = result.kind !== 'nginx-rtmp' && theirs !== undefined;
      const versus = (ours: number, nginxFigure: number, floor: number): string =>
        compared ? againstNginx(ours, nginxFigure, floor) : '';
      rows.push([
        result === results[0] ? attack : '',
        SERVER_LABELS[result.kind],
        `${fixed(row.seconds, 1)}${row.stopped ? ' (stopped)' : ''}`,
        row.outcome.bytesSent === undefined ? 'n/a' : mb(row.outcome.bytesSent),
        row.outcome.closed,
        `**${fixed(row.cpuSeconds)}**`,
        versus(row.cpuSeconds, theirs?.cpuSeconds ?? NaN, HOSTILE_FLOORS.cpuSeconds),
        `**${mb(peakRssGrowth(row))}**`,
        versus(
          peakRssGrowth(row),
          theirs === undefined ? NaN : peakRssGrowth(theirs),
          HOSTILE_FLOORS.peakRssGrowth,
        ),
        mb(row.peakRss),
        `${fixed(medianProbe(row), 1)} / **${fixed(slowestProbe(row), 1)}**`,
        versus(
          slowestProbe(row),
          theirs === undefined ? NaN : slowestProbe(theirs),
          HOSTILE_FLOORS.probeMs,
        ),
        `${row.probesFailed} of ${row.probeMs.length + row.probesFailed}`,
      ]);
    }
  }
  return table(
    [
      'attack',
      'server',
      'attack s',
      'attackers sent MB',
      'attackers closed by the server',
      'server CPU s',
      '× nginx-rtmp',
      'peak RSS growth MB',
      '× nginx-rtmp',
      'peak RSS MB',
      'probe handshake median / max ms',
      'max × nginx-rtmp',
      'probes failed',
    ],
    ['l', 'l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows,
  );
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return table(
    ['target (issue 6)', 'measured', 'met'],
    ['l', 'l', 'l'],
    checks.map((check) => [
      check.target,
      check.measured,
      check.met === undefined ? 'not measured' : check.met ? 'yes' : '**no**',
    ]),
  );
}

export function byKind<T extends { kind: ServerKind }>(
  results: readonly T[],
  kind: ServerKind,
): T | undefined {
  return results.find((result) => result.kind === kind);
}
