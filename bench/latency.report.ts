import { Headline } from './before-after';
import { LatencyResult } from './latency.bench';
import { bold, fixed, table } from './report-format';
import { RenderInput, Results } from './results';
import { TargetCheck } from './targets';
import { SERVER_LABELS } from './support/servers';

function latencyRows(result: LatencyResult, label: string[]): string[][] {
  const us = (value: number): string => fixed(value, 0);
  const row = (what: string, s: LatencyResult['report']['listener']): string[] => [
    ...label,
    what,
    String(s.samples),
    us(s.p50),
    us(s.p90),
    bold(us(s.p99)),
    us(s.p999),
    us(s.max),
  ];
  return [
    row('`RtmpServerService.packets()` subscriber', result.report.observable),
    row('`LiveStream.onPacket` listener, for comparison', result.report.listener),
  ];
}

export function latencySection({ results }: RenderInput): string | undefined {
  const latency = results.latency;
  if (latency === undefined) return undefined;
  const baseline = results.latencyBaseline;
  // A server column only when there are two: ours now and at the baseline.
  const rows = [
    ...latencyRows(latency, baseline === undefined ? [] : [SERVER_LABELS['nestjs-rtmp']]),
    ...(baseline === undefined
      ? []
      : latencyRows(baseline, [SERVER_LABELS['nestjs-rtmp-baseline']])),
  ];
  const server = baseline === undefined ? [] : ['server'];
  return `## 5. Consumer latency

${latency.publishers} FFmpeg \`-re\` publishers (${latency.completed} exited 0) into a Nest application (\`bench/servers/latency-app.ts\`,
${latency.cpuPercent.toFixed(1)} % of a core) subscribed to each stream with \`packets()\`: from the socket's 'data' event
(stamped before the session sees it) to the packet reaching the consumer.

${table(
  [...server, 'consumer', 'packets', 'p50 µs', 'p90 µs', 'p99 µs', 'p99.9 µs', 'max µs'],
  [...server.map((): 'l' => 'l'), 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
  rows,
)}`;
}

export function latencyChecks(results: Results): TargetCheck[] {
  if (results.latency === undefined) return [];
  const { p99 } = results.latency.report.observable;
  return [
    {
      target: 'Consumer latency p99 < 1 ms',
      variant: 'nestjs-rtmp',
      measured: `${p99.toFixed(0)} µs`,
      met: p99 < 1000,
    },
  ];
}

export function latencyHeadlines(results: Results): Headline[] {
  const p99 = (result: LatencyResult | undefined): number | undefined =>
    result?.report.observable.p99;
  return [
    {
      figure: 'Consumer latency: p99 µs (packets())',
      digits: 0,
      value: (kind) =>
        kind === 'nestjs-rtmp'
          ? p99(results.latency)
          : kind === 'nestjs-rtmp-baseline'
            ? p99(results.latencyBaseline)
            : undefined,
    },
  ];
}
