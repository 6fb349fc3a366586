import { Headline, headline } from './before-after';
import { IngestResult, IngestRound } from './ingest.bench';
import { byKind, columns, fixed, judged, mb, range, yesNo } from './report-format';
import { RenderInput, Results } from './results';
import { over, ratioCheck, TargetCheck } from './targets';
import { SERVER_LABELS, ServerKind } from './support/servers';
import { MB } from './support/util';
import { ALL_VARIANTS } from './settings';

/** Both floods' table; `chunkSize` adds the replay's column. */
function ingestTable(
  results: readonly IngestResult[],
  chunkSize?: (r: IngestResult) => string,
): string {
  const all = (r: IngestResult, of: (round: IngestRound) => boolean | undefined) =>
    r.rounds.some((round) => of(round) === undefined) ? undefined : r.rounds.every(of);
  return columns(results, [
    ...(chunkSize === undefined ? [] : [['chunk size', 'r', chunkSize] as const]),
    ['server', 'l', (r) => SERVER_LABELS[r.kind]],
    ['MB/s (median)', 'r', (r) => judged(r.kind, fixed(r.mbPerSecond, 0))],
    ['MB/s (range)', 'r', (r) => range(r.rounds.map((round) => round.bytes / MB / round.seconds))],
    ['CPU s per GB', 'r', (r) => judged(r.kind, fixed(r.cpuSecondsPerGb, 2))],
    ['peak RSS MB', 'r', (r) => mb(r.peakRss)],
    [
      'completed / packets counted',
      'l',
      (r) =>
        `${yesNo(all(r, (round) => round.completed))} / ${yesNo(all(r, (round) => round.intact))}`,
    ],
  ]);
}

/** FFmpeg's publish flood, and the replayed one. */
export function ingestSection(input: RenderInput): string | undefined {
  const parts = [floodPart(input), replayPart(input)].filter((part) => part !== undefined);
  if (parts.length === 0) return undefined;
  return `## 1. Ingest flood\n\n${parts.join('\n\n')}`;
}

function floodPart({ results, flood }: RenderInput): string | undefined {
  if (results.flood.length === 0 || flood === undefined) return undefined;
  const { spec } = flood;
  return `FFmpeg publishes a ${spec.width}x${spec.height}@${spec.frameRate} H.264 (${spec.videoBitrate}bit/s) + AAC FLV of ${(flood.fileBytes / MB).toFixed(0)} MB (${flood.video} video, ${flood.audio} audio
messages) without \`-re\`, ${times(results.flood[0].rounds.length)} per server after an unmeasured publish, in the chunk size the server
announces (ours 60000, nginx 4096, node-media-server 65535). MB/s: bytes read over FFmpeg's run; CPU s
per GB: over those bytes. Packets counted per stream (nginx: bytes only).

${ingestTable(results.flood)}`;
}

function replayPart({ results }: RenderInput): string | undefined {
  if (results.replay4096.length === 0) return undefined;
  return `**1b. Replay flood.** That publish, recorded (\`test/support/capture-listener.ts\`) and replayed
(\`bench/support/replay.ts\`) after an unmeasured replay: up to \`publish\`, then after Publish.Start as
fast as the socket takes it (raw to the Node floor). MB/s: the bytes after \`publish\`, until the
server has read them all and closes.

${ingestTable([...results.replay4096, ...results.replay128], (r) =>
  results.replay4096.includes(r) ? '4096' : '128',
)}`;
}

const times = (count: number): string => (count === 1 ? 'once' : `${count} times`);

export function ingestChecks(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const flood = (kind: ServerKind): IngestResult | undefined => byKind(results.flood, kind);
  const [nginx, nms] = [flood('nginx-rtmp'), flood('node-media-server')];
  for (const variant of ALL_VARIANTS) {
    const ours = flood(variant);
    if (ours === undefined) continue;
    const vsNginx = over(ours.cpuSecondsPerGb, nginx?.cpuSecondsPerGb);
    const vsNms = over(ours.cpuSecondsPerGb, nms?.cpuSecondsPerGb);
    checks.push(
      ratioCheck('Ingest flood: CPU per GB ≤ 1.5× nginx-rtmp’s', variant, vsNginx, 1.5),
      ratioCheck('Ingest flood: CPU per GB < 0.4× node-media-server’s', variant, vsNms, 0.4, true),
    );
    if (variant !== 'nestjs-rtmp') continue;
    const peers = [nginx, nms].filter((peer): peer is IngestResult => peer !== undefined);
    checks.push({
      target: 'Ingest flood: MB/s no lower than either peer’s',
      variant,
      measured: `${ours.mbPerSecond.toFixed(0)} vs ${peers.map((peer) => peer.mbPerSecond.toFixed(0)).join(' and ')} MB/s`,
      met:
        peers.length === 0
          ? undefined
          : peers.every((peer) => ours.mbPerSecond >= peer.mbPerSecond),
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

export function ingestHeadlines(results: Results): Headline[] {
  const cpu = (result: IngestResult): number => result.cpuSecondsPerGb;
  return [
    headline('Ingest flood: CPU s per GB', 2, results.flood, cpu),
    headline('Ingest flood: peak RSS MB', 1, results.flood, (result) => result.peakRss / MB),
    headline('Replay at 4096: CPU s per GB', 2, results.replay4096, cpu),
    headline('Replay at 128: CPU s per GB', 2, results.replay128, cpu),
  ];
}
