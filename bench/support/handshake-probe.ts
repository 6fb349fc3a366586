import { ForkedChild } from './forked-child';
import { ProbeReport, ProbeRequest } from './handshake-probe-ipc';
import { startLoadGenerator } from './servers';

/** `stop` waits for the probe under way, which may take its whole timeout. */
const REPLY_TIMEOUT_MS = 30_000;

/**
 * The hostile-traffic scenario's probe client: a Node child process
 * (./handshake-probe-process.ts, compiled by compileServers) that completes a handshake with the
 * server every interval between `start` and `stop`, apart from the attackers in this process.
 */
export class HandshakeProbe {
  private constructor(private readonly child: ForkedChild<ProbeRequest, unknown>) {}

  static async launch(): Promise<HandshakeProbe> {
    return new HandshakeProbe(
      await startLoadGenerator<ProbeRequest>('the probe client', 'handshake-probe-process'),
    );
  }

  /** Resolves once the child has started probing. */
  async start(port: number, intervalMs: number, timeoutMs: number): Promise<void> {
    await this.child.request({ type: 'start', port, intervalMs, timeoutMs }, REPLY_TIMEOUT_MS);
  }

  /** Stops probing once the probe under way is done; resolves with every probe since start. */
  stop(): Promise<ProbeReport> {
    return this.child.ask({ type: 'stop' }, 'report', REPLY_TIMEOUT_MS);
  }

  close(): Promise<void> {
    return this.child.stop();
  }
}
