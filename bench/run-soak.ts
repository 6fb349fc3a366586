/*
 * `npm run bench:soak`: the soak of issue 7, on this library's server only. 10 FFmpeg
 * publishers restart every 30 s for 30 minutes while the server's RSS and V8 heap are sampled;
 * writes bench/soak-results.md (which BENCHMARKS.md links to).
 *
 * Environment knobs, for development only (a run with either of them writes
 * .bench-work/soak-results.partial.md instead):
 *   SOAK_MINUTES=2    a shorter run
 *   SOAK_PLAYERS=0    no players
 */
import { mkdirSync, writeFileSync } from 'fs';
import { loadavg } from 'os';
import { join } from 'path';
import { format, resolveConfig } from 'prettier';
import { killAllProcesses } from '../test/support/child-processes';
import { runSoak, SoakOptions, SoakResult } from './soak.bench';
import { renderSoak } from './soak.report';
import { judgeSoak, SoakThresholds } from './soak-verdict';
import { coresNote, pinBenchProcess } from './support/cores';
import { describeMachine, git } from './support/machine';
import { LIVE_MEDIA, prepareClip } from './support/media';
import { compileServers, startServer, WORK_DIR } from './support/servers';
import { progress } from './support/util';

/** The soak issue 7 asks for; any other length is a development run. */
const FULL_MINUTES = 30;

const minutes = Number(process.env.SOAK_MINUTES ?? FULL_MINUTES);
const players = process.env.SOAK_PLAYERS !== '0';
const partial = minutes !== FULL_MINUTES || !players;

const OPTIONS: SoakOptions = {
  minutes,
  slots: 10,
  staggerMs: 3_000,
  sampleEveryMs: 10_000,
  gcEverySamples: 6,
  players,
};

/**
 * "Stable", as an operator would take it from half an hour: once warm, no trend in RSS or in
 * what the heap keeps after a full GC. A leak of one publish's packets per restart (about
 * 10 MB, 20 restarts a minute) would be about 10 GB an hour, and one of a single 64 kB socket
 * chunk per restart some 80 MB an hour; the thresholds are far below those and above what 25
 * minutes of samples can resolve with streams coming and going.
 */
const THRESHOLDS: SoakThresholds = {
  warmupMinutes: Math.min(5, Math.floor(minutes / 3)),
  rssSlope: 10,
  heapUsedSlope: 2,
  heapSlope: 5,
  referenceMinute: Math.min(10, Math.max(1, Math.floor(minutes / 2))),
  rssDrift: 5,
};

const loads = (): string =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loads();
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', 'libs']) !== '';
  pinBenchProcess();
  progress(`soak: ${minutes} min, load average at start ${loadAtStart}; ${coresNote()}`);
  compileServers();
  const clip = await prepareClip({ ...LIVE_MEDIA, seconds: 30 });
  const server = await startServer('nestjs-rtmp');
  let result: SoakResult;
  try {
    result = await runSoak(server, clip, OPTIONS);
  } catch (error) {
    throw new Error(`the soak failed: ${String(error)}\n${server.logTail()}`);
  } finally {
    killAllProcesses();
    await server.stop();
  }
  const verdict = judgeSoak(result, THRESHOLDS);
  const report = renderSoak({
    result,
    verdict,
    startedAt,
    loadAtStart,
    loadAtEnd: loads(),
    commit,
    dirty,
    clipBytes: clip.fileBytes,
    machine: describeMachine(),
    partial,
  });
  mkdirSync(WORK_DIR, { recursive: true });
  writeFileSync(join(WORK_DIR, 'soak-samples.json'), JSON.stringify(result, null, 1));
  const target = partial
    ? join(WORK_DIR, 'soak-results.partial.md')
    : join(__dirname, 'soak-results.md');
  // As `prettier --check` wants it (it aligns the tables).
  const formatted = await format(report, { ...(await resolveConfig(target)), parser: 'markdown' });
  writeFileSync(target, formatted);
  process.stdout.write(formatted);
  progress(`written to ${target}; verdict: ${verdict.stable ? 'stable' : 'NOT stable'}`);
}

process.once('SIGINT', () => {
  killAllProcesses();
  process.exit(130);
});

main().catch((error: unknown) => {
  killAllProcesses();
  console.error(error);
  process.exit(1);
});
