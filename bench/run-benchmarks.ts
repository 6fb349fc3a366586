/*
 * `npm run bench`: every benchmark of issue 6, end to end, then BENCHMARKS.md. What the report
 * is rendered from (results, clips, machine) is saved beside it in .bench-work/bench-results.json,
 * so that `npm run bench:render` (this script with `--render`) can render BENCHMARKS.md again
 * from those, without measuring anything, after a change to the report's text or tables.
 * The development knobs are in ./settings.ts.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { generateTestMedia } from '../test/support/test-media';
import { prepareBaseline } from './baseline';
import { benchChunkCodec, CODEC_MEDIA } from './chunk-codec.bench';
import { benchE2eLatency } from './e2e-latency.bench';
import { benchFanout } from './fanout.bench';
import { benchHostile, benchSlotHoldersFloor } from './hostile.bench';
import { benchIdle } from './idle.bench';
import { floodRounds, replayRounds } from './ingest.bench';
import { benchLatency } from './latency.bench';
import { publisherRuns } from './publishers.bench';
import { render } from './report';
import { loadInput, RenderInput, Results, saveInput } from './results';
import { benchSessionPath } from './session.bench';
import {
  BARE_VARIANTS,
  FANOUT_VARIANTS,
  FLOOD_CLIPS,
  FLOOD_VARIANTS,
  NGINX_KINDS,
  readSettings,
  wanted,
  withBaselines,
  withVariants,
} from './settings';
import { coresNote, pinBenchProcess, useCoreLayout } from './support/cores';
import { describeMachine } from './support/machine';
import { BenchClip, FLOOD_MEDIA, mediaName, prepareClip } from './support/media';
import { loadAverage } from './support/proc';
import { capturedSession } from './support/replay';
import { ServerRunner } from './support/server-runner';
import {
  compileServers,
  ensureNodeMediaServer,
  NMS_VERSION,
  ServerKind,
  WORK_DIR,
} from './support/servers';
import { progress } from './support/util';

const REPORT = join(__dirname, '..', 'BENCHMARKS.md');
const PARTIAL_REPORT = join(WORK_DIR, 'BENCHMARKS.partial.md');

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  pinBenchProcess();
  progress(`load average at start: ${loadAtStart}; ${coresNote()}`);
  const nmsVersion = settings.serverKinds.includes('node-media-server')
    ? ensureNodeMediaServer()
    : NMS_VERSION;
  compileServers();
  const baseline =
    settings.baselineRev === undefined ? undefined : prepareBaseline(settings.baselineRev);
  const runner = new ServerRunner({
    profileDir: settings.profileDir,
    baselineBuild: baseline?.build,
  });
  /**
   * `kinds` with ours as `variants` and nginx-rtmp as `nginx`, each of ours followed by its
   * baseline twin when there is one.
   */
  const servers = (
    variants: readonly ServerKind[] = ['nestjs-rtmp'],
    nginx?: readonly ServerKind[],
  ): ServerKind[] => {
    const kinds = withVariants(settings.serverKinds, variants, nginx);
    return baseline === undefined ? kinds : withBaselines(kinds, baseline.build);
  };
  const want = (scenario: Parameters<typeof wanted>[1]): boolean => wanted(settings, scenario);

  const results: Results = {
    codec: [],
    sessionPath: [],
    floods: [],
    replay128: [],
    replay4096: [],
    publishers: [],
    idle: [],
    latency: undefined,
    fanout: [],
    hostile: [],
    e2eLatency: [],
  };
  let live: BenchClip | undefined;

  if (want('codec')) {
    progress('protocol core');
    runner.noteLoad('protocol core');
    const clip = await generateTestMedia(join(WORK_DIR, 'bench-720p30.flv'), CODEC_MEDIA);
    results.codec = [await benchChunkCodec(clip, 4096), await benchChunkCodec(clip, 128)];
  }
  if (want('flood')) {
    useCoreLayout('shared');
    for (const { spec, headline } of FLOOD_CLIPS) {
      progress(`generating the flood clip ${mediaName(spec)} (once)`);
      const clip = await prepareClip(spec, settings.floodBytes);
      // Every server at once, taking turns round by round; the floor last.
      const kinds = [
        ...servers(headline ? FLOOD_VARIANTS.headline : FLOOD_VARIANTS.other, NGINX_KINDS),
        'node-floor-publish' as const,
      ].filter((kind) => headline || kind !== 'node-media-server');
      const rounds = floodRounds(clip, settings.floodRounds);
      const what = `ingest flood, ${mediaName(spec)} x${clip.plays}`;
      results.floods.push({
        clip,
        headline,
        results: await runner.rounds(what, kinds, rounds, { together: true }),
      });
    }
  }
  if (want('replay')) {
    useCoreLayout('shared');
    progress('generating the replay clip (once)');
    const clip = await prepareClip(FLOOD_MEDIA);
    progress('recording the FFmpeg sessions to replay (once)');
    const sessions = {
      at4096: await capturedSession(clip.path, 4096),
      at128: await capturedSession(clip.path, 128),
    };
    const rounds = replayRounds(sessions, clip, settings.replayRounds);
    const kinds = [...servers(['nestjs-rtmp', 'nestjs-rtmp-nest']), 'node-floor' as const];
    const both = await runner.rounds('replay flood', kinds, rounds);
    results.replay4096 = both.map((result) => result.at4096);
    results.replay128 = both.map((result) => result.at128);
    if (want('codec')) {
      progress('session path (in process)');
      runner.noteLoad('session path');
      results.sessionPath = [
        await benchSessionPath(sessions.at4096),
        await benchSessionPath(sessions.at128),
      ];
    }
  }
  // The rest unpinned (see support/cores.ts).
  useCoreLayout('none');
  if (want('publishers') || want('latency') || want('fanout') || want('e2e-latency')) {
    live = await prepareClip(settings.liveMedia);
  }
  if (want('publishers') && live !== undefined) {
    const runs = publisherRuns(live, settings.publisherRuns);
    // The floor last: what Node's sockets alone cost, next to the servers.
    const kinds = [...servers(BARE_VARIANTS), 'node-floor-publish' as const];
    results.publishers = await runner.rounds('many publishers', kinds, runs);
  }
  if (want('idle')) {
    results.idle = await runner.each('idle connections', servers(), (server) =>
      benchIdle(server, settings.idleConnections),
    );
  }
  if (want('latency') && live !== undefined) {
    progress('consumer latency');
    runner.noteLoad('consumer latency');
    results.latency = await benchLatency(live, settings.latencyPublishers);
    if (baseline !== undefined) {
      results.latencyBaseline = await benchLatency(
        live,
        settings.latencyPublishers,
        baseline.build,
      );
    }
  }
  if (want('fanout') && live !== undefined) {
    const clip = live;
    results.fanout = await runner.each('fan-out', servers(FANOUT_VARIANTS), (server) =>
      benchFanout(server, clip, settings.fanout),
    );
  }
  if (want('hostile')) {
    // Ours as deployed: its default limits, and a verifier that knows no attacker's key.
    results.hostile = await runner.each(
      'hostile traffic',
      servers(['nestjs-rtmp-defaults']),
      benchHostile,
    );
    [results.hostileFloor] = await runner.each(
      'hostile traffic, Node floor',
      ['node-floor'],
      benchSlotHoldersFloor,
    );
  }
  if (want('e2e-latency') && live !== undefined) {
    const clip = live;
    // No baseline twin: a p99 of one window moves more between runs than a change would.
    results.e2eLatency = await runner.each(
      'publisher → player latency',
      withVariants(settings.serverKinds, ['nestjs-rtmp', 'nestjs-rtmp-nagle']),
      (server) => benchE2eLatency(server, clip, settings.e2eLatency),
    );
  }

  runner.noteLoad('end');
  const minutes = (Date.now() - startedAt.getTime()) / 60_000;
  const input: RenderInput = {
    results,
    live,
    date: startedAt.toISOString().slice(0, 10),
    minutes,
    loadAtStart,
    machine: { ...describeMachine(), loads: runner.loads },
    versions: { 'node-media-server': nmsVersion, ...runner.versions },
    baseline: baseline?.info,
    partial: settings.partial,
  };
  const saved = join(
    WORK_DIR,
    settings.partial ? 'bench-results.partial.json' : 'bench-results.json',
  );
  saveInput(saved, input);
  const report = render(input);
  const target = settings.partial ? PARTIAL_REPORT : REPORT;
  writeFileSync(target, report);
  process.stdout.write(report);
  progress(`written to ${target} after ${minutes.toFixed(1)} min; its input to ${saved}`);
}

/**
 * `--render [file]`: BENCHMARKS.md rendered again from a run's saved input (by default the last
 * full run's), nothing measured. A partial run's input renders to the partial report.
 */
function renderSaved(file = join(WORK_DIR, 'bench-results.json')): void {
  const partial = file.endsWith('.partial.json');
  const input = loadInput(file);
  let report: string;
  try {
    report = render({ ...input, partial });
  } catch (error) {
    // A results file of another version, its shape off where loadInput does not look.
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${file}: cannot render it (${why}); run \`npm run bench\` again`);
  }
  writeFileSync(partial ? PARTIAL_REPORT : REPORT, report);
  progress(`rendered ${file} to ${partial ? PARTIAL_REPORT : REPORT}`);
}

const renderAt = process.argv.indexOf('--render');
if (renderAt >= 0) {
  try {
    renderSaved(process.argv[renderAt + 1]);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
