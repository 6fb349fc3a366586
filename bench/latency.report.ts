import { LatencyResult } from './latency.bench';
import { bold, fixed, table } from './report-format';
import { RenderInput, Results } from './results';
import { TargetCheck } from './targets';

function latencyRows(result: LatencyResult): string[][] {
  const us = (value: number): string => fixed(value, 0);
  const row = (what: string, s: LatencyResult['report']['listener']): string[] => [
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
    row('plain `LiveStream.onPacket` listener (for comparison)', result.report.listener),
  ];
}

export function latencySection({ results }: RenderInput): string | undefined {
  const latency = results.latency;
  if (latency === undefined) return undefined;
  const rows = latencyRows(latency);
  return `## 5. Consumer latency

${latency.publishers} FFmpeg \`-re\` publishers (${latency.completed} exited 0) into a Nest application (\`bench/servers/latency-app.ts\`,
${latency.cpuPercent.toFixed(1)} % of a core) subscribed to each stream with \`RtmpServerService.packets()\`: from the socket's
'data' event (stamped ahead of the session's listener) to the packet reaching the consumer.

${table(
  ['consumer', 'packets', 'p50 µs', 'p90 µs', 'p99 µs', 'p99.9 µs', 'max µs'],
  ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
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
