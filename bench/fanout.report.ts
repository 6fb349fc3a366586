import { Headline, headline } from './before-after';
import { FANOUT_BATCH, FanoutResult, FULL_RATE_SHARE } from './fanout.bench';
import { byKind, columns, fixed, judged, kb, mb, percent } from './report-format';
import { RenderInput, Results } from './results';
import { over, ratioCheck, TargetCheck } from './targets';
import { SERVER_LABELS } from './support/servers';
import { FANOUT_VARIANTS } from './settings';

function fanoutTable(results: readonly FanoutResult[]): string {
  const node = (r: FanoutResult): boolean => r.kind !== 'nginx-rtmp';
  return columns(results, [
    ['server', 'l', (r) => SERVER_LABELS[r.kind]],
    ['CPU % of a core', 'r', (r) => judged(r.kind, fixed(r.cpuPercent, 1))],
    ['in the kernel', 'r', (r) => fixed(r.systemCpuPercent, 1)],
    ['write calls /s', 'r', (r) => (node(r) ? fixed(r.writeCallsPerSecond, 0) : 'n/a')],
    ['peak RSS MB', 'r', (r) => judged(r.kind, mb(r.peakRss))],
    ['RSS MB before → with', 'r', (r) => `${mb(r.rssBefore)} → ${mb(r.rssWith)}`],
    ['KB per player', 'r', (r) => judged(r.kind, kb(r.rssPerPlayer))],
    [
      'V8 young gen. MB before → with',
      'r',
      (r) => (node(r) ? `${mb(r.youngBefore)} → ${mb(r.youngWith)}` : 'n/a'),
    ],
    ['MB/s in → out', 'r', (r) => `${fixed(r.publisherMBps, 3)} → ${fixed(r.playersMBps, 1)}`],
    ['served well', 'r', (r) => judged(r.kind, `${r.servedWell}/${r.players}`)],
    ['share: lowest / median', 'r', (r) => `${percent(r.lowestShare)} / ${percent(r.medianShare)}`],
    ['ms to keyframe (median)', 'r', (r) => fixed(r.medianMsToKeyFrame, 0)],
    ['players’ CPU %', 'r', (r) => fixed(r.swarmCpuPercent, 1)],
  ]);
}

export function fanoutSection({ results, live }: RenderInput): string | undefined {
  const fanout = results.fanout;
  if (fanout.length === 0 || live === undefined) return undefined;
  const [{ players, windowSeconds }] = fanout;
  const notes = fanout.flatMap((result) => [
    ...(result.openErrors.length > 0
      ? [
          `${result.kind}: ${result.players - result.playing} player(s) never played; first errors: ` +
            result.openErrors.map((error) => `\`${error}\``).join(', '),
        ]
      : []),
    ...(result.publisherAlive
      ? []
      : [`${result.kind}: the publisher stopped before the window ended.`]),
    ...(result.servedWell < result.players
      ? [
          `${result.kind}: of ${result.players}, ${result.fullRate} at full rate, ${result.startedOnKeyFrame} started on a keyframe, ${result.stillOpen} still open.`,
        ]
      : []),
  ]);
  return `## 6. Fan-out: one publisher, ${players} players

One FFmpeg \`-re -stream_loop -1\` publisher; ${players} players (\`RtmpPlayClient\`, one process) join ${FANOUT_BATCH} at a
time once a GOP is in; a ${windowSeconds.toFixed(0)} s window 3 s after the last. KB per player: RSS growth from after a full GC.
Share: a player's bytes over the server's input. **Served well**: a share ≥ ${(FULL_RATE_SHARE * 100).toFixed(0)} %, a keyframe start, open.

${fanoutTable(fanout)}${notes.map((note) => `\n\n${note}`).join('')}`;
}

/**
 * Issue 21: no more CPU than 0.8× node-media-server's and 1.15× nginx-rtmp's, no more RSS per
 * player than node-media-server (issue 8), and every player served well.
 */
export function fanoutChecks(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const nms = byKind(results.fanout, 'node-media-server');
  const nginx = byKind(results.fanout, 'nginx-rtmp');
  for (const variant of FANOUT_VARIANTS) {
    const ours = byKind(results.fanout, variant);
    if (ours === undefined) continue;
    checks.push(
      ratioCheck(
        'Fan-out: CPU % ≤ 0.8× node-media-server’s',
        variant,
        over(ours.cpuPercent, nms?.cpuPercent),
        0.8,
      ),
      ratioCheck(
        'Fan-out: CPU % ≤ 1.15× nginx-rtmp’s',
        variant,
        over(ours.cpuPercent, nginx?.cpuPercent),
        1.15,
      ),
      ratioCheck(
        'Fan-out: RSS per player ≤ node-media-server’s',
        variant,
        over(ours.rssPerPlayer, nms?.rssPerPlayer),
        1,
      ),
      {
        target: 'Fan-out: every player served well',
        variant,
        measured: `${ours.servedWell}/${ours.players}`,
        met: ours.servedWell === ours.players,
      },
    );
  }
  return checks;
}

export function fanoutHeadlines(results: Results): Headline[] {
  return [
    headline('Fan-out: CPU % of a core', 1, results.fanout, (result) => result.cpuPercent),
    headline('Fan-out: KB per player', 1, results.fanout, (result) => result.rssPerPlayer / 1024),
    headline('Fan-out: peak RSS MB', 1, results.fanout, (result) => result.peakRss / 1e6),
  ];
}
