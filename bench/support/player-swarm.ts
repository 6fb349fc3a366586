import { ChildProcess, fork } from 'child_process';
import { OpenReport, SwarmMessage, SwarmRequest, SwarmSnapshot } from './player-swarm-ipc';
import { stopForkedChild } from './forked-child';
import { compiledSupport } from './servers';

const START_TIMEOUT_MS = 30_000;
/** Opening a batch can take a player's whole connect timeout (10 s); 200 players, 8 batches. */
const OPEN_TIMEOUT_MS = 300_000;
const REQUEST_TIMEOUT_MS = 30_000;

type Reply = SwarmMessage & { type: 'reply' };
/** A request before it gets its id (Omit distributed over the union). */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The fan-out scenario's players: one Node child process (./player-swarm-process.ts, compiled
 * by compileServers) holding every play connection, the same load generator for every server.
 */
export class PlayerSwarm {
  private nextId = 1;
  private readonly pending = new Map<number, (message: Reply) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: SwarmMessage) => {
      if (message.type !== 'reply') return;
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
  }

  static async start(): Promise<PlayerSwarm> {
    const child = fork(compiledSupport('player-swarm-process'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the player swarm did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      child.on('message', (message: SwarmMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the player swarm exited (${code}) before it was ready`));
      });
    });
    return new PlayerSwarm(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Opens `count` players of `url`, `batch` at a time; resolves once all have tried. */
  async open(url: string, count: number, batch: number): Promise<OpenReport> {
    const reply = await this.request({ type: 'open', url, count, batch }, OPEN_TIMEOUT_MS);
    if (reply.open === undefined) throw new Error('no open report');
    return reply.open;
  }

  async snapshot(): Promise<SwarmSnapshot> {
    const reply = await this.request({ type: 'snapshot' }, REQUEST_TIMEOUT_MS);
    if (reply.snapshot === undefined) throw new Error('no snapshot');
    return reply.snapshot;
  }

  /** Closes every player (deleteStream, then the socket) and waits until they are closed. */
  async closePlayers(): Promise<void> {
    await this.request({ type: 'close' }, REQUEST_TIMEOUT_MS);
  }

  stop(): Promise<void> {
    return stopForkedChild(this.child);
  }

  private request(request: Unsent<SwarmRequest>, timeoutMs: number): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the player swarm did not answer ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.child.send({ ...request, id } as SwarmRequest);
    });
  }
}
