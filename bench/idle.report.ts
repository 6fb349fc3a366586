import { Headline, headline } from './before-after';
import { IdleResult } from './idle.bench';
import { byKind, columns, judged, kb, mb } from './report-format';
import { RenderInput, Results } from './results';
import { TargetCheck } from './targets';
import { SERVER_LABELS } from './support/servers';

function idleTable(results: readonly IdleResult[]): string {
  const node = (r: IdleResult): boolean => r.kind !== 'nginx-rtmp';
  return columns(results, [
    ['server', 'l', (r) => SERVER_LABELS[r.kind]],
    ['RSS MB before → with', 'r', (r) => `${mb(r.rssBefore)} → ${mb(r.rssWith)}`],
    ['KB per connection', 'r', (r) => judged(r.kind, kb(r.rssPerConnection))],
    ['KB after a full GC', 'r', (r) => (node(r) ? kb(r.rssPerConnectionAfterGc) : 'n/a')],
    [
      'V8 young gen. MB before → with',
      'r',
      (r) => (node(r) ? `${mb(r.youngBefore)} → ${mb(r.youngWith)}` : 'n/a'),
    ],
    ['KB less that', 'r', (r) => (node(r) ? kb(r.rssPerConnectionWithoutYoung) : 'n/a')],
    [
      'KB of heap + external',
      'r',
      (r) => (r.heapPerConnection === undefined ? 'n/a' : kb(r.heapPerConnection)),
    ],
  ]);
}

export function idleSection({ results }: RenderInput): string | undefined {
  if (results.idle.length === 0) return undefined;
  const notOpen = results.idle
    .filter((r) => r.stillOpen < r.connections || (r.serverCount ?? r.connections) < r.connections)
    .map((r) => `${r.kind}: ${r.stillOpen} open (client), ${r.serverCount ?? 'n/a'} (server).`);
  return `## 3. Idle connections

${results.idle[0].connections} connections through the handshake and \`connect\`, 50 at a time, left idle (limits raised where
needed; all open unless said). RSS before: after a full GC; with: 2 s after the last. KB per
connection: the growth, as is, after a full GC, and less the young generation's. node-media-server's
heap counts a 1 MB parser buffer per session, never touched, so not resident.

${idleTable(results.idle)}${notOpen.map((note) => `\n\n${note}`).join('')}`;
}

export function idleChecks(results: Results): TargetCheck[] {
  const idle = byKind(results.idle, 'nestjs-rtmp');
  if (idle === undefined) return [];
  return [
    {
      target: 'Idle connections: < 20 KB RSS per connection',
      variant: 'nestjs-rtmp',
      measured: `${kb(idle.rssPerConnection)} KB`,
      met: idle.rssPerConnection < 20 * 1024,
    },
  ];
}

export function idleHeadlines(results: Results): Headline[] {
  const perConnection = (result: IdleResult): number => result.rssPerConnection / 1024;
  return [headline('Idle connections: KB per connection', 1, results.idle, perConnection)];
}
