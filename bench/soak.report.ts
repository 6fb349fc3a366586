import { SoakResult, GcSample, SoakSample } from './soak.bench';
import { Slope, SoakVerdict } from './soak-verdict';
import { columns, mb, range, yesNo } from './report-format';
import { Machine, machineLine } from './support/machine';
import { MB } from './support/util';

export interface SoakReportInput {
  readonly result: SoakResult;
  readonly verdict: SoakVerdict;
  readonly startedAt: Date;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
  readonly commit: string;
  readonly dirty: boolean;
  readonly clipBytes: number;
  readonly machine: Machine;
  /** A development run (shorter, or without players), not the soak issue 7 asks for. */
  readonly partial: boolean;
}

const signed = (value: number, digits = 1): string =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/** One character per value, ▁ (lowest) to █ (highest), over a span of at least `minSpan`. */
function sparkline(values: readonly number[], minSpan: number): string {
  const bars = '▁▂▃▄▅▆▇█';
  const low = Math.min(...values);
  const span = Math.max(Math.max(...values) - low, minSpan);
  return values
    .map(
      (value) => bars[Math.min(bars.length - 1, Math.floor(((value - low) / span) * bars.length))],
    )
    .join('');
}

interface MinuteRow {
  readonly minute: number;
  readonly sample: SoakSample;
  readonly gc: GcSample;
}

function minuteRows(result: SoakResult): MinuteRow[] {
  const perMinute = 60_000 / result.options.sampleEveryMs;
  return result.gcSamples.map((gc) => ({
    minute: gc.minute,
    sample: result.samples[gc.minute * perMinute],
    gc,
  }));
}

/** bench/soak-results.md, from a soak's result and verdict. */
export function renderSoak(input: SoakReportInput): string {
  const { result, verdict } = input;
  const { thresholds: limits } = verdict;
  const rows = minuteRows(result);
  const codes = Object.entries(result.exitCodes)
    .map(([code, count]) => `${count} × ${code === '0' ? 'exit 0' : code}`)
    .join(', ');
  const lines: string[] = [];
  lines.push(`## Soak: 10 publishers restarting every 30 s

Written by \`npm run bench:soak\` (\`bench/run-soak.ts\`) on ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${
    input.partial ? ` — **a development run (${result.options.minutes} min), not the soak**` : ''
  }. Commit ${input.commit}${
    input.dirty ? ' (the working tree had uncommitted changes under libs/)' : ''
  }. Machine: ${machineLine(input.machine)}. Load average (1 / 5 / 15 min) at
the start ${input.loadAtStart}, at the end ${input.loadAtEnd}: the machine was doing other work
too, which matters for CPU, not for memory.

**How.** This library's server alone, in a process of its own (the bench's server:
every publish accepted, a consumer counting each stream's packets), run with \`--expose-gc\`.
${result.options.slots} publisher slots, each FFmpeg \`-re -c copy\` of a 30 s clip (720p30 H.264 at
2.5 Mbit/s + AAC, 2 s GOP, ${mb(input.clipBytes)} MB) to a stream name of its own, started again as
soon as it exits, so the same key republishes about every 30 s; the slots' first publishes are
${result.options.staggerMs / 1000} s apart, so the restarts spread. ${
    result.options.players
      ? `One player per stream (this repository's \`RtmpPlayClient\`, in the bench process) plays it, waits on the server between publishes, and closes and plays again on a new connection after each Play.UnpublishNotify, so the play path is soaked too.`
      : 'No players.'
  } For ${result.options.minutes} minutes, then the running publishes finish (${(result.seconds / 60).toFixed(1)} min in all).
Every ${result.options.sampleEveryMs / 1000} s: the server's RSS (\`/proc\`) and
\`process.memoryUsage()\`; every minute also the same right after two full GCs in a row
(\`gc()\`; the first leaves the Buffers it found dead counted in \`external\` until the next). Each
publish that ended is judged once against the clip: every audio, video and data message
counted by the server.
`);
  lines.push(`### Result

- Publishes: ${result.publishes} (FFmpeg: ${codes}).
- Counted by the server to their end: ${result.judged}; intact (every packet): ${result.intact}.${
    result.notIntact.length > 0
      ? ` Not intact, e.g.: ${result.notIntact.map((s) => `${s.name} (${s.audio} audio, ${s.video} video, ${s.metadata} data, ended ${s.ended})`).join('; ')}.`
      : ''
  }${result.ffmpegErrors.length > 0 ? `\n- FFmpeg errors, e.g.: ${result.ffmpegErrors.map((e) => `\`${e}\``).join('; ')}.` : ''}`);
  if (result.players !== undefined) {
    const p = result.players;
    lines.push(
      `- Players: ${p.sessions} plays (${p.withVideo} received video, ${p.waitingAtEnd} were waiting for the next publish when the soak ended), ${p.connectFailures} failed connects, ` +
        `${p.unexpectedCloses} unexpected closes; ${p.videoPackets} video, ${p.audioPackets} audio and ` +
        `${p.metadataPackets} data messages received.` +
        (p.errors.length > 0
          ? ` Errors, e.g.: ${p.errors.map((e) => `\`${e}\``).join('; ')}.`
          : ''),
    );
  }
  lines.push(
    `- After the last publish ended${result.players !== undefined ? ' and the players left' : ''}: RSS ${mb(result.drained.rss)} MB, ` +
      `post-GC heap ${mb(result.drained.heap)} MB, ${result.drained.connections} connections open.`,
  );
  const slope = (line: Slope, digits: number): string =>
    `${signed(line.slope, digits)} ± ${line.standardError.toFixed(digits)} MB/h`;
  lines.push(`
**Verdict: ${verdict.stable ? 'stable' : 'NOT stable'}.** "Stable" means, after a
${limits.warmupMinutes}-minute warm-up (JIT, V8 sizing its heap, the first publishes' buffers), by
least squares over what follows (± is the slope's standard error):

| Check | Threshold | Measured | Met |
|---|---|---|---|
| Trend of RSS less V8's young generation (${verdict.rssSlope.points} samples) | < ${limits.rssSlope} MB/h | ${slope(verdict.rssSlope, 1)} (RSS as sampled: ${slope(verdict.rawRssSlope, 1)}) | ${yesNo(verdict.rssStable)} |
| Trend of post-GC heapUsed (${verdict.heapUsedSlope.points} samples) | < ${limits.heapUsedSlope} MB/h | ${slope(verdict.heapUsedSlope, 2)} | ${yesNo(verdict.heapUsedStable)} |
| Trend of post-GC heapUsed + external (${verdict.heapSlope.points} samples) | < ${limits.heapSlope} MB/h | ${slope(verdict.heapSlope, 2)} | ${yesNo(verdict.heapStable)} |
| Mean RSS less young generation, last minute vs minute ${limits.referenceMinute} | within ${limits.rssDrift} MB | ${verdict.rssAtEnd.toFixed(1)} vs ${verdict.rssAtReference.toFixed(1)} MB (${signed(verdict.rssAtEnd - verdict.rssAtReference)}); RSS as sampled ${verdict.rawRssAtEnd.toFixed(1)} vs ${verdict.rawRssAtReference.toFixed(1)} MB | ${yesNo(verdict.driftStable)} |

V8's young generation is counted apart, as in the publishers’ RSS check: V8 enlarges it
under allocation pressure up to a fixed cap, a one-off step that is not a leak. External memory
(Buffers) is judged with a looser threshold than the JavaScript heap because it also follows
where each of the ${result.options.slots} live streams is in its GOP when the sample is taken. A leak of
one publish's packets per restart would be about 10 GB/h, of one 64 kB socket chunk per
restart about 80 MB/h.
`);
  const rss = rows.map((row) => row.sample.rss / MB);
  const heap = rows.map((row) => row.gc.heap / MB);
  lines.push(`Curve, one character a minute from minute 0 (scaled from the lowest value over the range, at
least 10 MB):

\`\`\`
RSS           ${sparkline(rss, 10)}  ${range(rss, 1)} MB
post-GC heap  ${sparkline(heap, 10)}  ${range(heap, 1)} MB
\`\`\`
`);
  lines.push(
    columns(rows, [
      ['Minute', 'r', (row) => String(row.minute)],
      ['RSS MB', 'r', (row) => mb(row.sample.rss)],
      ['heapUsed MB', 'r', (row) => mb(row.sample.heapUsed)],
      ['external MB', 'r', (row) => mb(row.sample.external)],
      ['arrayBuffers MB', 'r', (row) => mb(row.sample.arrayBuffers)],
      ['young gen. MB', 'r', (row) => mb(row.sample.youngGeneration)],
      ['post-GC heap MB', 'r', (row) => mb(row.gc.heap)],
      ['live streams', 'r', (row) => String(row.sample.liveStreams)],
      ['publishes so far', 'r', (row) => String(row.sample.publishes)],
    ]),
  );
  lines.push(`
RSS, heapUsed, external, arrayBuffers and young generation as sampled at the minute, with
no GC forced; post-GC heap is heapUsed + external right after the two full GCs that follow. The
${result.samples.length} samples are in \`.bench-work/soak-samples.json\` after a run.
`);
  return lines.join('\n');
}
