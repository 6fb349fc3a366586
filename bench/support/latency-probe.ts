import { ForkedChild } from './forked-child';
import { ProbeRequest, ProbeWindow } from './latency-probe-ipc';
import { startLoadGenerator } from './servers';

/** Past the publisher's and the player's connect timeouts (10 s each). */
const CONNECT_TIMEOUT_MS = 30_000;
/** Past a window: the probe's grace after it and the IPC. */
const WINDOW_SLACK_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The publisher → player latency scenario's load generator: one Node child process
 * (./latency-probe-process.ts, compiled by compileServers) holding a real-time publisher of a
 * clip and a player of its stream.
 */
export class LatencyProbe {
  private constructor(private readonly child: ForkedChild<ProbeRequest, unknown>) {}

  static async start(): Promise<LatencyProbe> {
    return new LatencyProbe(
      await startLoadGenerator<ProbeRequest>('the latency probe', 'latency-probe-process'),
    );
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Publishes `clip` to `url` in real time and plays it back; resolves once both started. */
  async connect(clip: string, url: string): Promise<void> {
    const reply = await this.child.request({ type: 'start', clip, url }, CONNECT_TIMEOUT_MS);
    if (reply.error !== undefined) throw new Error(`the latency probe: ${String(reply.error)}`);
  }

  /** The latency of what the publisher writes over the next `windowMs`. */
  measure(windowMs: number): Promise<ProbeWindow> {
    return this.child.ask({ type: 'measure', windowMs }, 'window', windowMs + WINDOW_SLACK_MS);
  }

  /** Closes the player and the publisher, then ends the process. */
  async stop(): Promise<void> {
    await this.child.request({ type: 'close' }, REQUEST_TIMEOUT_MS).catch(() => undefined);
    await this.child.stop();
  }
}
