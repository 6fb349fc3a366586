import { loadAverage } from './proc';
import { BenchServer, ServerKind, startServer, StartOptions } from './servers';
import { progress } from './util';

/** A measurement in rounds on one server process. */
export interface Rounds<Round, Result> {
  readonly count: number;
  /** Unmeasured, before the first round: every server is measured warm. */
  warmUp?(server: BenchServer): Promise<void>;
  round(server: BenchServer, index: number): Promise<Round>;
  summarize(server: BenchServer, rounds: Round[]): Result;
}

/**
 * Runs scenarios on servers, each server a fresh process per scenario, and notes what every
 * run needs beside its figures: each server's version, and the load average as each part
 * started (other work on the machine shows there).
 */
export class ServerRunner {
  readonly versions: Partial<Record<ServerKind, string>> = {};
  readonly loads: string[] = [];

  constructor(private readonly options: StartOptions) {}

  noteLoad(part: string): void {
    this.loads.push(`${part} ${loadAverage().toFixed(2)}`);
  }

  /** `measure` on each of `kinds` in turn. */
  async each<T>(
    what: string,
    kinds: readonly ServerKind[],
    measure: (server: BenchServer) => Promise<T>,
  ): Promise<T[]> {
    const results: T[] = [];
    for (const kind of kinds) {
      await this.with(what, [kind], async ([server]) => {
        results.push(await measure(server));
      });
    }
    return results;
  }

  /** `rounds` on each of `kinds` in turn. */
  async rounds<Round, Result>(
    what: string,
    kinds: readonly ServerKind[],
    rounds: Rounds<Round, Result>,
  ): Promise<Result[]> {
    return this.each(what, kinds, async (server) => {
      await rounds.warmUp?.(server);
      const done: Round[] = [];
      for (let index = 0; index < rounds.count; index += 1) {
        done.push(await rounds.round(server, index));
      }
      return rounds.summarize(server, done);
    });
  }

  private async with(
    what: string,
    kinds: readonly ServerKind[],
    run: (servers: BenchServer[]) => Promise<void>,
  ): Promise<void> {
    progress(`${what}: ${kinds.join(' and ')}`);
    this.noteLoad(`${what} (${kinds.join(', ')})`);
    const servers: BenchServer[] = [];
    try {
      for (const kind of kinds) {
        const server = await startServer(kind, this.options);
        servers.push(server);
        this.versions[kind] = server.version;
      }
      await run(servers);
    } catch (error) {
      const logs = servers.map((server) => `${server.kind}:\n${server.logTail()}`).join('\n');
      throw new Error(`${what} on ${kinds.join(', ')} failed: ${String(error)}\n${logs}`);
    } finally {
      for (const server of servers) await server.stop();
    }
  }
}
