import { Settings } from './settings';
import { BenchClip, publish } from './support/media';
import { PlayerCounters } from './support/player-swarm-ipc';
import { PlayerSwarm } from './support/player-swarm';
import { processMemory, ProcessMeter } from './support/proc';
import { BenchServer, ServerKind } from './support/servers';
import { median, sleep } from './support/util';

/** Players that connect at once; each batch reaches Play.Start before the next one starts. */
export const FANOUT_BATCH = 25;
/** A player is served at full rate when it received at least this share of what came in. */
export const FULL_RATE_SHARE = 0.9;
/** Bytes the server must have read from the publisher before the stream counts as live. */
const LIVE_BYTES = 256 * 1024;
const LIVE_TIMEOUT_MS = 30_000;
/** After the stream is live: a whole GOP (2 s) in, so a GOP cache holds one. */
const WARM_MS = 3_000;
/** After the last player connected: GOP bursts to the late joiners are over. */
const SETTLE_MS = 3_000;
/** The publisher loops the clip; this only bounds a run that hangs. */
const PUBLISHER_TIMEOUT_MS = 15 * 60_000;

export interface FanoutResult {
  readonly kind: ServerKind;
  /** Players asked for. */
  readonly players: number;
  /** Players that reached NetStream.Play.Start. */
  readonly playing: number;
  /** The first few failures, if any player did not. */
  readonly openErrors: readonly string[];
  /** The measured steady-state window, wall seconds. */
  readonly windowSeconds: number;
  /** The server's CPU seconds over the window's wall seconds, in % of one core. */
  readonly cpuPercent: number;
  /** Of cpuPercent, the part spent in the kernel (stime): mostly the sockets' sends. */
  readonly systemCpuPercent: number;
  /**
   * write and writev calls the server made per second over the window (/proc/<pid>/io). The
   * Node servers send that way; nginx does not (the counter stays at 0).
   */
  readonly writeCallsPerSecond: number;
  /** The player swarm's, the same way (a load generator's cost, not the server's). */
  readonly swarmCpuPercent: number;
  /** RSS with the publisher live, before any player (Node servers: after a full GC). */
  readonly rssBefore: number;
  /** RSS at the end of the window, as is. */
  readonly rssWith: number;
  /** Peak RSS from the first player's connect to the end of the window. */
  readonly peakRss: number;
  /** (rssWith - rssBefore) / players that played. */
  readonly rssPerPlayer: number;
  /** Node servers: V8's young generation before and with the players (0 for nginx). */
  readonly youngBefore: number;
  readonly youngWith: number;
  /** What the server read over the window (the publisher, plus the players' acknowledgements). */
  readonly publisherMBps: number;
  /** What all players received together over the window, MB/s. */
  readonly playersMBps: number;
  /** Players that received at least FULL_RATE_SHARE of the publisher's bytes in the window. */
  readonly fullRate: number;
  /** Players whose first picture after the sequence header was a keyframe. */
  readonly startedOnKeyFrame: number;
  /** Players still connected at the end of the window. */
  readonly stillOpen: number;
  /** Players meeting all three of the above: "served well". */
  readonly servedWell: number;
  /** The lowest and the median player's bytes over the publisher's, in the window. */
  readonly lowestShare: number;
  readonly medianShare: number;
  /** Median milliseconds from Play.Start to the first keyframe. */
  readonly medianMsToKeyFrame: number;
  /** Whether the publisher (FFmpeg, looping the clip) was still running at the end. */
  readonly publisherAlive: boolean;
}

async function waitUntilLive(
  server: BenchServer,
  bytesBefore: number,
  publisherExited: () => boolean,
): Promise<void> {
  const deadline = performance.now() + LIVE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (publisherExited()) throw new Error('the publisher exited before the stream was live');
    if ((await server.counters()).bytesIn - bytesBefore >= LIVE_BYTES) return;
    await sleep(100);
  }
  throw new Error(`the stream was not live within ${LIVE_TIMEOUT_MS} ms`);
}

/**
 * Scenario 6: one FFmpeg `-re` publisher of the live clip (looped) and `players` players of
 * its stream, all in one child process (./support/player-swarm.ts), connected `FANOUT_BATCH`
 * at a time once the stream is live. Over a steady-state window that starts `SETTLE_MS`
 * after the last player connected: the server's CPU, its RSS, what every player received.
 */
export async function benchFanout(
  server: BenchServer,
  clip: BenchClip,
  settings: Settings['fanout'],
): Promise<FanoutResult> {
  const { players, windowMs } = settings;
  const name = 'fanout';
  const swarm = await PlayerSwarm.start();
  const bytesBefore = (await server.counters()).bytesIn;
  const publisher = publish(clip.path, server.url(name), {
    realtime: true,
    loop: true,
    timeoutMs: PUBLISHER_TIMEOUT_MS,
  });
  let publisherExited = false;
  publisher.child.once('exit', () => (publisherExited = true));
  try {
    await waitUntilLive(server, bytesBefore, () => publisherExited);
    await sleep(WARM_MS);
    const before = await server.gcThenCounters();
    await sleep(500);
    const rssBefore = processMemory(server.pid).rss;

    const meter = new ProcessMeter(server.pid);
    const opened = await swarm.open(server.url(name), players, FANOUT_BATCH);
    await sleep(SETTLE_MS);

    const [start, countersAtStart] = await Promise.all([swarm.snapshot(), server.counters()]);
    // The window inside the stretch whose peak RSS `meter` keeps.
    const window = new ProcessMeter(server.pid, { resetPeak: false, writeCalls: true });
    const swarmWindow = new ProcessMeter(swarm.pid, { resetPeak: false });
    await sleep(windowMs);
    const cpu = window.cpu();
    const system = window.systemCpu();
    const writes = window.writeCalls();
    const swarmCpu = swarmWindow.cpu();
    const windowSeconds = window.wall();
    const [end, countersAtEnd] = await Promise.all([swarm.snapshot(), server.counters()]);
    const rssWith = processMemory(server.pid).rss;
    const { peakRss } = meter.memory();
    const publisherAlive = !publisherExited;

    const publisherBytes = countersAtEnd.bytesIn - countersAtStart.bytesIn;
    const received = end.players.map(
      (player: PlayerCounters, index) => player.bytes - (start.players[index]?.bytes ?? 0),
    );
    const shares = received.map((bytes) => bytes / publisherBytes);
    const fullRate = (index: number): boolean => shares[index] >= FULL_RATE_SHARE;
    const keyStart = (player: PlayerCounters): boolean => player.startedOnKeyFrame === true;
    const open = (player: PlayerCounters): boolean => player.closed === undefined;
    const toKeyFrame = end.players
      .map((player) => player.msToFirstKeyFrame)
      .filter((ms): ms is number => ms !== undefined);
    return {
      kind: server.kind,
      players,
      playing: opened.opened,
      openErrors: opened.errors,
      windowSeconds,
      cpuPercent: (cpu / windowSeconds) * 100,
      systemCpuPercent: (system / windowSeconds) * 100,
      writeCallsPerSecond: writes / windowSeconds,
      swarmCpuPercent: (swarmCpu / windowSeconds) * 100,
      rssBefore,
      rssWith,
      peakRss,
      rssPerPlayer: (rssWith - rssBefore) / Math.max(1, opened.opened),
      youngBefore: before.youngGeneration,
      youngWith: countersAtEnd.youngGeneration,
      publisherMBps: publisherBytes / 1e6 / windowSeconds,
      playersMBps: received.reduce((sum, bytes) => sum + bytes, 0) / 1e6 / windowSeconds,
      fullRate: received.filter((_, index) => fullRate(index)).length,
      startedOnKeyFrame: end.players.filter(keyStart).length,
      stillOpen: end.players.filter(open).length,
      servedWell: end.players.filter(
        (player, index) => fullRate(index) && keyStart(player) && open(player),
      ).length,
      lowestShare: shares.length === 0 ? NaN : Math.min(...shares),
      medianShare: shares.length === 0 ? NaN : median(shares),
      medianMsToKeyFrame: toKeyFrame.length === 0 ? NaN : median(toKeyFrame),
      publisherAlive,
    };
  } finally {
    await swarm.closePlayers().catch(() => undefined);
    await swarm.stop();
    if (!publisherExited) publisher.child.kill('SIGTERM');
    const result = await publisher;
    if (result.code !== 0 && result.signal === null && result.code !== 255) {
      process.stderr.write(`${server.kind}: the fan-out publisher failed: ${result.stderr}\n`);
    }
  }
}
