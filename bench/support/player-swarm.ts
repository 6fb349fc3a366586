import { ForkedChild } from './forked-child';
import { OpenReport, SwarmRequest, SwarmSnapshot } from './player-swarm-ipc';
import { startLoadGenerator } from './servers';

/** Opening a batch can take a player's whole connect timeout (10 s); 200 players, 8 batches. */
const OPEN_TIMEOUT_MS = 300_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The fan-out scenario's players: one Node child process (./player-swarm-process.ts, compiled
 * by compileServers) holding every play connection, the same load generator for every server.
 */
export class PlayerSwarm {
  private constructor(private readonly child: ForkedChild<SwarmRequest, unknown>) {}

  static async start(): Promise<PlayerSwarm> {
    return new PlayerSwarm(
      await startLoadGenerator<SwarmRequest>('the player swarm', 'player-swarm-process'),
    );
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Opens `count` players of `url`, `batch` at a time; resolves once all have tried. */
  open(url: string, count: number, batch: number): Promise<OpenReport> {
    return this.child.ask({ type: 'open', url, count, batch }, 'open', OPEN_TIMEOUT_MS);
  }

  snapshot(): Promise<SwarmSnapshot> {
    return this.child.ask({ type: 'snapshot' }, 'snapshot', REQUEST_TIMEOUT_MS);
  }

  /** Closes every player (deleteStream, then the socket) and waits until they are closed. */
  async closePlayers(): Promise<void> {
    await this.child.request({ type: 'close' }, REQUEST_TIMEOUT_MS);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
