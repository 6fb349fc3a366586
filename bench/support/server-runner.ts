import { loadAverage } from './proc';
import {
  BASELINE_TWINS,
  BenchServer,
  ServerKind,
  startServer,
  StartOptions,
  TwinnedKind,
} from './servers';
import { progress } from './util';

/** A measurement in rounds on one server process, which may take turns with another's. */
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

  /**
   * `rounds` on each of `kinds`. With `together` every server runs at once and they take turns
   * round by round; otherwise each of ours does so with its baseline twin only. Who goes first
   * alternates (forward, then backward), so that what else the machine does weighs on all alike.
   */
  async rounds<Round, Result>(
    what: string,
    kinds: readonly ServerKind[],
    rounds: Rounds<Round, Result>,
    { together = false }: { together?: boolean } = {},
  ): Promise<Result[]> {
    const results = new Map<ServerKind, Result>();
    for (const group of together ? [[...kinds]] : twinGroups(kinds)) {
      await this.with(what, group, async (servers) => {
        const done = servers.map((): Round[] => []);
        for (const server of servers) await rounds.warmUp?.(server);
        for (let index = 0; index < rounds.count; index += 1) {
          const order = servers.map((_, at) => (index % 2 === 0 ? at : servers.length - 1 - at));
          for (const at of order) done[at].push(await rounds.round(servers[at], index));
        }
        servers.forEach((server, at) =>
          results.set(server.kind, rounds.summarize(server, done[at])),
        );
      });
    }
    return kinds.map((kind) => results.get(kind) as Result);
  }

  private async with(
    what: string,
    kinds: readonly ServerKind[],
    run: (servers: BenchServer[]) => Promise<void>,
  ): Promise<void> {
    progress(`${what}: ${kinds.join(', ')}`);
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

/** `kinds` in order, each of ours with its baseline twin (when it is in `kinds`) beside it. */
function twinGroups(kinds: readonly ServerKind[]): ServerKind[][] {
  const twins = new Set<ServerKind>(Object.values(BASELINE_TWINS));
  return kinds
    .filter((kind) => !twins.has(kind) || !kinds.some((other) => twinOf(other) === kind))
    .map((kind) => {
      const twin = twinOf(kind);
      return twin !== undefined && kinds.includes(twin) ? [kind, twin] : [kind];
    });
}

function twinOf(kind: ServerKind): ServerKind | undefined {
  return BASELINE_TWINS[kind as TwinnedKind];
}
