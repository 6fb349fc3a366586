import { Headline, headline } from './before-after';
import { PublishersResult, PublishersRun } from './publishers.bench';
import { bold, byKind, columns, fixed, mb } from './report-format';
import { RenderInput, Results } from './results';
import { over, ratioCheck, TargetCheck } from './targets';
import { SERVER_LABELS } from './support/servers';
import { MB, mean } from './support/util';
import { BARE_VARIANTS, OUR_VARIANTS } from './settings';

/** The runs with the most publishers (N = 50 in a full run). */
function mostPublisherRuns(result: PublishersResult | undefined): PublishersRun[] {
  if (result === undefined) return [];
  const most = Math.max(...result.runs.map((run) => run.publishers));
  return result.runs.filter((run) => run.publishers === most);
}

const meanCpu = (runs: readonly PublishersRun[]): number => mean(runs.map((run) => run.cpuPercent));
const peakRss = (runs: readonly PublishersRun[]): number =>
  Math.max(...runs.map((run) => run.peakRss));

/**
 * One row per server: the first run (fewer publishers) and the mean (CPU) or most (RSS) of the
 * runs with the most, each run's RSS after it, and the totals of every run.
 */
function publishersTable(results: readonly PublishersResult[]): string {
  const last = (r: PublishersResult): PublishersRun => r.runs[r.runs.length - 1];
  const total = (r: PublishersResult, of: (run: PublishersRun) => number | undefined): string =>
    r.runs.some((run) => of(run) === undefined)
      ? 'not counted'
      : String(r.runs.reduce((sum, run) => sum + (of(run) ?? 0), 0));
  const gopPeak = (r: PublishersResult): string => {
    const peaks = r.runs.map((run) => run.peakGopCacheBytes);
    return peaks.some((bytes) => bytes === undefined)
      ? 'n/a'
      : mb(Math.max(...(peaks as number[])));
  };
  return columns(results, [
    ['server', 'l', (r) => SERVER_LABELS[r.kind]],
    [
      'CPU % of a core',
      'r',
      (r) => `${fixed(r.runs[0].cpuPercent, 1)} / ${bold(fixed(meanCpu(mostPublisherRuns(r)), 1))}`,
    ],
    [
      'peak RSS MB',
      'r',
      (r) => `${mb(r.runs[0].peakRss)} / ${bold(mb(peakRss(mostPublisherRuns(r))))}`,
    ],
    ['RSS MB after each run', 'r', (r) => r.runs.map((run) => mb(run.endRss)).join(' → ')],
    [
      'V8 young gen. MB (last)',
      'r',
      (r) => (r.kind === 'nginx-rtmp' ? 'n/a' : mb(last(r).endYoungGeneration)),
    ],
    ['GOP cache MB (peak)', 'r', gopPeak],
    [
      'exit 0 / intact',
      'r',
      (r) =>
        `${total(r, (run) => run.completed)} / ${total(r, (run) => run.intact)} of ${total(r, (run) => run.publishers)}`,
    ],
    ['MB in (last run)', 'r', (r) => mb(last(r).bytesIn)],
  ]);
}

export function publishersSection({ results, live }: RenderInput): string | undefined {
  if (results.publishers.length === 0 || live === undefined) return undefined;
  const { spec } = live;
  const runs = results.publishers[0].runs.map((run) => run.publishers).join(', ');
  return `## 2. Many publishers

Runs of ${runs} publishers at once, in turn on one server process, each FFmpeg
\`-re -c copy\` of a ${spec.width}x${spec.height}@${spec.frameRate} H.264 (${spec.videoBitrate}bit/s) + AAC clip of ${spec.seconds} s (${mb(live.fileBytes)} MB). CPU % and peak RSS:
the first run / (bold) the mean and the most of the largest runs. RSS after: 1 s after the last
publisher left. GOP cache: the most our GOP caches held at once (in the peak RSS).

${publishersTable(results.publishers)}
${floorComparison(results.publishers)}`;
}

/**
 * The Node floor beside nginx-rtmp and ours with the most publishers: how much of the gap to
 * nginx-rtmp Node's sockets take before any code of ours runs.
 */
function floorComparison(results: readonly PublishersResult[]): string {
  const floor = mostPublisherRuns(byKind(results, 'node-floor-publish'));
  const nginx = mostPublisherRuns(byKind(results, 'nginx-rtmp'));
  if (floor.length === 0 || nginx.length === 0) return '';
  const [floorCpu, nginxCpu] = [meanCpu(floor), meanCpu(nginx)];
  const ours = BARE_VARIANTS.map(
    (kind) => [kind, mostPublisherRuns(byKind(results, kind))] as const,
  )
    .filter(([, runs]) => runs.length > 0)
    .map(([kind, runs]) => `${OUR_VARIANTS[kind]} ${(meanCpu(runs) / floorCpu).toFixed(2)}×`);
  return (
    `\nWith ${floor[0].publishers} publishers the Node floor used ${(floorCpu / nginxCpu).toFixed(2)}× nginx-rtmp’s CPU; ` +
    `against the floor’s: ${ours.join(', ')}.`
  );
}

export function publishersChecks(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const nginx = mostPublisherRuns(byKind(results.publishers, 'nginx-rtmp'));
  for (const variant of BARE_VARIANTS) {
    const result = byKind(results.publishers, variant);
    const most = mostPublisherRuns(result);
    if (result === undefined || most.length === 0) continue;
    const vsNginx = over(meanCpu(most), nginx.length > 0 ? meanCpu(nginx) : undefined);
    const [first, last] = [most[0], most[most.length - 1]];
    // V8 enlarging its young generation is a one-off resize, not a leak: counted apart.
    const growth =
      last.endRss - first.endRss - (last.endYoungGeneration - first.endYoungGeneration);
    const n = `${first.publishers} publishers`;
    const streams = result.runs.reduce((sum, run) => sum + run.publishers, 0);
    const intact = result.runs.reduce((sum, run) => sum + (run.intact ?? 0), 0);
    checks.push(
      ratioCheck(`${n}: CPU % ≤ 1.5× nginx-rtmp’s`, variant, vsNginx, 1.5),
      {
        target: `${n}: RSS < 100 MB`,
        variant,
        measured: `${mb(peakRss(most))} MB`,
        met: peakRss(most) < 100 * MB,
      },
      {
        target: `${n}: RSS growth across runs ≤ 5 MB (young gen. apart)`,
        variant,
        measured: `${growth >= 0 ? '+' : ''}${mb(growth)} MB`,
        met: most.length < 2 ? undefined : growth <= 5 * MB,
      },
      {
        target: 'Many publishers: every stream intact',
        variant,
        measured: `${intact}/${streams}`,
        met: result.runs.every(
          (run) => run.intact === run.publishers && run.completed === run.publishers,
        ),
      },
    );
  }
  return checks;
}

export function publishersHeadlines(results: Results): Headline[] {
  const ofMost = (of: (runs: PublishersRun[]) => number) => (result: PublishersResult) => {
    const most = mostPublisherRuns(result);
    return most.length === 0 ? undefined : of(most);
  };
  const peakRssMb = (most: PublishersRun[]): number => peakRss(most) / MB;
  const figure = 'Many publishers (most at once)';
  return [
    headline(`${figure}: CPU % of a core`, 1, results.publishers, ofMost(meanCpu)),
    headline(`${figure}: peak RSS MB`, 1, results.publishers, ofMost(peakRssMb)),
  ];
}
