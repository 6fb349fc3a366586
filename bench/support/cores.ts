import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';

/*
 * Which core each process of the bench runs on. Left to the scheduler, a flood's server and
 * FFmpeg sometimes share a core and sometimes not, and that alone changes a server's CPU per GB
 * by up to 2× (its reads grow when it runs behind the writer; bench/profile-notes.md, issue 21).
 * Apart (servers on one core, load generators on the other) the server still flipped between
 * both read sizes from round to round; on one shared core every round read large, so the
 * floods (ingest and replay) run `shared`. The other scenarios run unpinned: their load
 * generators (100 FFmpeg publishers, 200 players) would fill a core of their own and skew
 * latency and CPU (pinned apart, the publisher → player p99 beside 100 publishers went from
 * under 2 ms to about 9 ms for every server). Needs two cores and `taskset` (util-linux);
 * otherwise everything runs unpinned, and the report's machine line says so.
 *
 * BENCH_CORES (development) forces one layout on every scenario: `apart`, `shared` or `none`.
 */

export type CoreRole = 'server' | 'load';

/** The core of each role, or why there are none. */
type Layout = { readonly server: number; readonly load: number } | { readonly unpinned: string };

export type CoreLayoutName = 'apart' | 'shared' | 'none';

let layout: Layout | undefined;
/** What the running scenario asked for (see `useCoreLayout`); BENCH_CORES overrides it. */
let scenarioLayout: CoreLayoutName = 'none';
/** The cores the bench may use, read before it pins itself. */
const benchCores = allowedCores(process.pid);

function coreLayout(): Layout {
  layout ??= decideLayout();
  return layout;
}

function decideLayout(): Layout {
  const wanted = process.env.BENCH_CORES ?? scenarioLayout;
  if (wanted === 'none') return { unpinned: 'unpinned' };
  if (wanted !== 'apart' && wanted !== 'shared') {
    throw new Error(`BENCH_CORES: ${wanted}? (apart, shared or none)`);
  }
  if (benchCores.length < 2) return { unpinned: 'unpinned (one core)' };
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return { unpinned: 'unpinned (no `taskset`)' };
  }
  return { load: benchCores[wanted === 'shared' ? 1 : 0], server: benchCores[1] };
}

/**
 * The layout of the scenario about to start (its servers and load generators are started
 * after this), and the bench process moved to its load core, or let go over every core.
 */
export function useCoreLayout(name: CoreLayoutName): void {
  scenarioLayout = name;
  layout = undefined;
  pinBenchProcess();
}

/** The cores a process may run on (its `Cpus_allowed_list`, e.g. "0-1" or "0,2-3"). */
function allowedCores(pid: number): number[] {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [first, last = first] = part.split('-').map(Number);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/** `command args` to spawn so that it runs on the core of `role` (unchanged when unpinned). */
export function onCore(
  role: CoreRole,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  const cores = coreLayout();
  if ('unpinned' in cores) return { command, args: [...args] };
  // taskset sets its own affinity, then execs `command`: the process keeps taskset's PID.
  return { command: 'taskset', args: ['-c', String(cores[role]), command, ...args] };
}

/** Puts the bench process (every thread of it) on the load core, or on every core if unpinned. */
export function pinBenchProcess(): void {
  const cores = coreLayout();
  if ('unpinned' in cores && benchCores.length < 2) return;
  const list = 'unpinned' in cores ? benchCores.join(',') : String(cores.load);
  try {
    execFileSync('taskset', ['-a', '-p', '-c', list, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // No taskset: the layout says unpinned already.
  }
}

/**
 * Throws unless process `pid` is `program` (not taskset still, which would put the CPU figures
 * on the wrong process) and runs on the core of `role`.
 */
export function assertOnCore(pid: number, role: CoreRole, program: string): void {
  const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (name !== program.slice(0, 15)) {
    throw new Error(`process ${pid} is ${name}, not ${program}: its CPU would be misread`);
  }
  const cores = coreLayout();
  if ('unpinned' in cores) return;
  const allowed = allowedCores(pid);
  if (allowed.length !== 1 || allowed[0] !== cores[role]) {
    throw new Error(
      `${program} (${pid}) may run on cores ${allowed.join(',')}, not ${cores[role]}`,
    );
  }
}

/** For the report's machine line: the layout of the floods and of the rest. */
export function coresNote(): string {
  const forced = process.env.BENCH_CORES;
  if (forced !== undefined) return `every scenario \`BENCH_CORES=${forced}\``;
  if (benchCores.length < 2) return 'unpinned (one core)';
  return 'floods: server and FFmpeg on one core (`taskset`); other scenarios unpinned';
}
