import { E2eLatencyResult, E2eLatencyWindow } from './e2e-latency.bench';
import { byKind, columns, fixed, judged } from './report-format';
import { RenderInput, Results } from './results';
import { TargetCheck } from './targets';
import { SERVER_LABELS } from './support/servers';

/** Issue 21's limits on ours, with the server's default options: p99 ms, alone and beside. */
const P99_LIMIT_MS = { alone: 3, beside: 5 } as const;

/** "p50 / p90 / p99 / max", ms; the p99 (judged) in bold for ours. */
function quantiles(result: E2eLatencyResult, window: E2eLatencyWindow): string {
  const ms = (value: number): string => fixed(value, 2);
  const p99 = judged(result.kind, ms(window.p99));
  return `${ms(window.p50)} / ${ms(window.p90)} / ${p99} / ${fixed(window.max, 1)}`;
}

export function e2eLatencySection({ results }: RenderInput): string | undefined {
  const rows = results.e2eLatency ?? [];
  if (rows.length === 0) return undefined;
  const [{ windowSeconds, publishersBeside }] = rows;
  const notes = rows.flatMap((r) => [
    ...(['alone', 'beside'] as const).flatMap((load) => {
      const { failure, received, sent } = r[load];
      return [
        ...(failure === undefined ? [] : [`${r.kind}, ${load}: ${failure}.`]),
        ...(received < sent ? [`${r.kind}, ${load}: ${received} of ${sent} messages read.`] : []),
      ];
    }),
    ...(r.besideConnected < r.publishersBeside
      ? [`${r.kind}: ${r.besideConnected} of the ${r.publishersBeside} beside connected in time.`]
      : []),
    ...(r.besideRunning < r.publishersBeside
      ? [`${r.kind}: ${r.publishersBeside - r.besideRunning} publisher(s) beside stopped early.`]
      : []),
  ]);
  return `## 8. Publisher → player latency

An \`RtmpPublishClient\` (the live clip in real time) and an \`RtmpPlayClient\` of it, in one process: ms from write to read of
each audio and video message over ${windowSeconds} s, alone, then with ${publishersBeside} FFmpeg \`-re\` publishers beside. CPU: the server's.

${columns(rows, [
  ['server', 'l', (r) => SERVER_LABELS[r.kind]],
  ['alone: p50 / p90 / p99 / max', 'r', (r) => quantiles(r, r.alone)],
  ['CPU %', 'r', (r) => fixed(r.alone.cpuPercent, 1)],
  [`${publishersBeside} beside`, 'r', (r) => quantiles(r, r.beside)],
  ['CPU %', 'r', (r) => fixed(r.beside.cpuPercent, 1)],
])}${notes.map((note) => `\n\n${note}`).join('')}`;
}

/** Issue 21: p99 under 3 ms alone and 5 ms beside, with defaults; nginx-rtmp's as context. */
export function e2eLatencyChecks(results: Results): TargetCheck[] {
  const rows = results.e2eLatency ?? [];
  const ours = byKind(rows, 'nestjs-rtmp');
  if (ours === undefined) return [];
  const nginx = byKind(rows, 'nginx-rtmp');
  const context = (load: 'alone' | 'beside'): string =>
    nginx === undefined ? '' : ` (nginx-rtmp ${fixed(nginx[load].p99, 2)})`;
  return (['alone', 'beside'] as const).map((load) => ({
    target: `Publisher → player p99 < ${P99_LIMIT_MS[load]} ms, ${
      load === 'alone' ? 'alone' : `${ours.publishersBeside} publishers beside`
    }`,
    variant: 'nestjs-rtmp',
    measured: `${fixed(ours[load].p99, 2)} ms${context(load)}`,
    met: ours[load].p99 < P99_LIMIT_MS[load],
  }));
}
