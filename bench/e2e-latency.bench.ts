import { Settings } from './settings';
import { LatencyProbe } from './support/latency-probe';
import { ProbeWindow } from './support/latency-probe-ipc';
import { BenchClip, publish } from './support/media';
import { ProcessMeter } from './support/proc';
import { BenchServer, ServerKind } from './support/servers';
import { sleep } from './support/util';

/**
 * After the player started: a GOP cache's burst to it is over, and the server and the probe,
 * fresh processes, are past their first optimizing compiles (a first window after 3 s had
 * the worse tail).
 */
const WARM_MS = 5_000;
/** How long the publishers beside may take to connect, all of them. */
const BESIDE_CONNECT_MS = 30_000;
/** After they connected: FFmpeg's start is behind them. */
const BESIDE_SETTLE_MS = 2_000;
/** The publishers beside loop the clip; this only bounds a run that hangs. */
const BESIDE_TIMEOUT_MS = 15 * 60_000;

export interface E2eLatencyWindow extends ProbeWindow {
  /** The server's CPU over the window, % of one core. */
  readonly cpuPercent: number;
}

export interface E2eLatencyResult {
  readonly kind: ServerKind;
  /** Each window's length. */
  readonly windowSeconds: number;
  /** The probe's stream alone on the server. */
  readonly alone: E2eLatencyWindow;
  /** The same, with `publishersBeside` more real-time publishers on the server. */
  readonly beside: E2eLatencyWindow;
  readonly publishersBeside: number;
  /** Of those, the ones the server held as connections when the window started. */
  readonly besideConnected: number;
  /** Of those, the ones still running at the end of the window. */
  readonly besideRunning: number;
}

async function measured(
  server: BenchServer,
  probe: LatencyProbe,
  windowMs: number,
): Promise<E2eLatencyWindow> {
  const meter = new ProcessMeter(server.pid, { resetPeak: false });
  const window = await probe.measure(windowMs);
  return { ...window, cpuPercent: (meter.cpu() / meter.wall()) * 100 };
}

/** The server's connections once it holds `connections`, or as many as past BESIDE_CONNECT_MS. */
async function untilConnected(server: BenchServer, connections: number): Promise<number> {
  const deadline = performance.now() + BESIDE_CONNECT_MS;
  let held = (await server.counters()).connections;
  while (held < connections && performance.now() < deadline) {
    await sleep(200);
    held = (await server.counters()).connections;
  }
  return held;
}

/**
 * Scenario 8: publisher → player latency, end to end over TCP. The probe (a child process,
 * ./support/latency-probe.ts) publishes the live clip in real time and plays it back; over a
 * window, each audio and video message from the publisher's write to the player's read.
 * Then again with `publishersBeside` FFmpeg `-re -c copy` publishers of the same clip (looped)
 * on the same server, started before the window.
 */
export async function benchE2eLatency(
  server: BenchServer,
  clip: BenchClip,
  settings: Settings['e2eLatency'],
): Promise<E2eLatencyResult> {
  const { windowMs, publishersBeside } = settings;
  const probe = await LatencyProbe.start();
  const beside: ReturnType<typeof publish>[] = [];
  const running = (): number =>
    beside.filter(({ child }) => child.exitCode === null && child.signalCode === null).length;
  try {
    await probe.connect(clip.path, server.url('probe'));
    await sleep(WARM_MS);
    const alone = await measured(server, probe, windowMs);

    const connections = (await server.counters()).connections;
    for (let index = 1; index <= publishersBeside; index += 1) {
      beside.push(
        publish(clip.path, server.url(`beside-${index}`), {
          realtime: true,
          loop: true,
          timeoutMs: BESIDE_TIMEOUT_MS,
        }),
      );
    }
    const held = await untilConnected(server, connections + publishersBeside);
    await sleep(BESIDE_SETTLE_MS);
    const withBeside = await measured(server, probe, windowMs);
    return {
      kind: server.kind,
      windowSeconds: windowMs / 1000,
      alone,
      beside: withBeside,
      publishersBeside,
      besideConnected: Math.min(publishersBeside, held - connections),
      besideRunning: running(),
    };
  } finally {
    await probe.stop();
    for (const { child } of beside) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(beside);
  }
}
