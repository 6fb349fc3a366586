import { ChildProcess, fork } from 'child_process';
import { ProbeMessage, ProbeReport, ProbeRequest } from './handshake-probe-ipc';
import { stopForkedChild } from './forked-child';
import { compiledSupport } from './servers';

const START_TIMEOUT_MS = 30_000;
/** `stop` waits for the probe under way, which may take its whole timeout. */
const REPLY_TIMEOUT_MS = 30_000;

/**
 * The hostile-traffic scenario's probe client: a Node child process
 * (./handshake-probe-process.ts, compiled by compileServers) that completes a handshake with the
 * server every interval between `start` and `stop`, apart from the attackers in this process.
 */
export class HandshakeProbe {
  private constructor(private readonly child: ChildProcess) {}

  static async launch(): Promise<HandshakeProbe> {
    const child = fork(compiledSupport('handshake-probe-process'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const probe = new HandshakeProbe(child);
    await probe.next('ready', START_TIMEOUT_MS);
    return probe;
  }

  /** Resolves once the child has started probing. */
  async start(port: number, intervalMs: number, timeoutMs: number): Promise<void> {
    const started = this.next('started', REPLY_TIMEOUT_MS);
    this.send({ type: 'start', port, intervalMs, timeoutMs });
    await started;
  }

  /** Stops probing once the probe under way is done; resolves with every probe since start. */
  async stop(): Promise<ProbeReport> {
    const reply = this.next('report', REPLY_TIMEOUT_MS);
    this.send({ type: 'stop' });
    const message = await reply;
    if (message.type !== 'report') throw new Error('no probe report');
    return message.report;
  }

  close(): Promise<void> {
    return stopForkedChild(this.child);
  }

  private send(request: ProbeRequest): void {
    this.child.send(request);
  }

  /** The child's next message of `type`. */
  private next(type: ProbeMessage['type'], timeoutMs: number): Promise<ProbeMessage> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ProbeMessage): void => {
        if (message.type !== type) return;
        settle();
        resolve(message);
      };
      const onExit = (code: number | null): void => {
        settle();
        reject(new Error(`the probe client exited (${code}) before its ${type}`));
      };
      const timer = setTimeout(() => {
        settle();
        this.child.kill('SIGKILL');
        reject(new Error(`the probe client sent no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }
}
