import { beforeAfterSection } from './before-after';
import { codecSection } from './codec.report';
import { e2eLatencyChecks, e2eLatencySection } from './e2e-latency.report';
import { fanoutChecks, fanoutHeadlines, fanoutSection } from './fanout.report';
import { hostileChecks, hostileHeadlines, hostileSection } from './hostile.report';
import { idleChecks, idleHeadlines, idleSection } from './idle.report';
import { floodTargetClips, ingestChecks, ingestHeadlines, ingestSection } from './ingest.report';
import { latencyChecks, latencyHeadlines, latencySection } from './latency.report';
import { publishersChecks, publishersHeadlines, publishersSection } from './publishers.report';
import { RenderInput, Results } from './results';
import { targetsTable } from './targets';
import { machineLine } from './support/machine';
import { isBaseline, NMS_VERSION, SMALL_YOUNG_GENERATION_FLAG } from './support/servers';

/** BENCHMARKS.md: what every table shares, the targets, one section per scenario. */
export function render(input: RenderInput): string {
  const { results, baseline } = input;
  // The scenario sections show the code as it is; a baseline's figures are in "Before and after".
  const current: RenderInput = { ...input, results: withoutBaselines(results) };
  const checks = [
    ...ingestChecks(current.results),
    ...publishersChecks(current.results),
    ...idleChecks(current.results),
    ...latencyChecks(current.results),
    ...fanoutChecks(current.results),
    ...hostileChecks(current.results),
    ...e2eLatencyChecks(current.results),
  ];
  const floodClips = floodTargetClips(current.results);
  const sections = [
    header(input),
    `## Against the targets

Issues 6, 8 (fan-out), 18 (hostile traffic) and 21 (flood, latency). A cell: the figure judged${floodClips === undefined ? '' : ` (flood: ${floodClips})`}, whether it is met.

${targetsTable(checks)}`,
    ingestSection(current),
    publishersSection(current),
    idleSection(current),
    codecSection(current),
    latencySection(current),
    fanoutSection(current),
    hostileSection(current),
    e2eLatencySection(current),
  ];
  if (baseline !== undefined) {
    const headlines = [
      ...ingestHeadlines(results),
      ...publishersHeadlines(results),
      ...idleHeadlines(results),
      ...latencyHeadlines(results),
      ...fanoutHeadlines(results),
      ...hostileHeadlines(results),
    ];
    sections.splice(2, 0, beforeAfterSection(headlines, baseline));
  }
  return `${sections.filter((section) => section !== undefined).join('\n\n')}\n`;
}

/** `results` without the baseline's servers (BENCH_BASELINE). */
function withoutBaselines(results: Results): Results {
  const ours = <T extends { readonly kind: Parameters<typeof isBaseline>[0] }>(rows: T[]): T[] =>
    rows.filter((row) => !isBaseline(row.kind));
  return {
    ...results,
    floods: results.floods.map((flood) => ({ ...flood, results: ours(flood.results) })),
    replay128: ours(results.replay128),
    replay4096: ours(results.replay4096),
    publishers: ours(results.publishers),
    idle: ours(results.idle),
    latencyBaseline: undefined,
    fanout: ours(results.fanout),
    hostile: ours(results.hostile),
  };
}

function header(input: RenderInput): string {
  const { date, minutes, machine, loadAtStart, versions, baseline } = input;
  const loads = machine.loads.map((load) => Number(load.split(' ').at(-1)));
  return `# Benchmarks

${input.partial === true ? 'A partial run (development knobs)' : 'The latest full run'} of \`npm run bench\` (${date}, ${minutes.toFixed(1)} min), which rewrites this file. Profiles and
earlier runs: [profile notes](bench/profile-notes.md); the soak: [soak results](bench/soak-results.md).

**Machine.** ${machineLine(machine)}; \`ulimit -n\` ${machine.fileLimit}. Load average (1 min): ${loadAtStart.toFixed(2)} at the start, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} as parts started.

**Servers**, fresh per scenario, on 127.0.0.1: **nestjs-rtmp**, our \`RtmpServer\` (\`bench/servers/nestjs-rtmp-server.ts\`:
accept-all verifier, a consumer counting packets, GOP cache on), also with \`gopCache: false\`, with
\`${SMALL_YOUNG_GENERATION_FLAG}\` (README, "Memory"), with default limits (section 7), **through Nest**
(\`nest-app-server.ts\`: \`RtmpModule\`, two \`packets()\` subscribers per stream)${
    baseline === undefined ? '' : ` and **at the baseline** \`${baseline.commit}\``
  }; **nginx-rtmp** (${versions['nginx-rtmp'] ?? 'nginx with libnginx-mod-rtmp'}), no GOP cache, chunk size 4096 (section 1:
also 65536); **node-media-server** ${versions['node-media-server'] ?? NMS_VERSION}, GOP cache always on; the **Node floor**, a \`net.Server\`
counting what it reads (sections 1–2: after the publish exchange).

**Columns.** CPU: utime + stime (\`/proc/<pid>/stat\`) over the measured stretch, % of one core. Peak
RSS: \`VmHWM\`, reset as the stretch starts. V8's young generation grows under load and stays (not a
leak): shown apart.`;
}
