import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';

/*
 * Which core each process of the bench runs on, one rule for every scenario: the servers under
 * test (ours, the peers, the floors) on one core, everything that loads them (FFmpeg, the
 * player swarm, the probe client, and the bench process itself, which replays captures, holds
 * the idle connections and runs the attacks) on another. Left to the scheduler, a server and
 * FFmpeg sometimes share a core and sometimes not, and that alone changes a server's CPU per GB
 * by up to 2× (its reads grow when it runs behind the writer; bench/profile-notes.md, issue 21).
 * Needs two cores and `taskset` (util-linux); otherwise everything runs unpinned, and the
 * report's machine line says so.
 *
 * BENCH_CORES (development): `apart` (the default, as above), `shared` (servers and load
 * generators on one core, as a scheduler often puts a flood's two ends) or `none` (unpinned).
 */

export type CoreRole = 'server' | 'load';

/** The core of each role, or why there are none. */
type Layout = { readonly server: number; readonly load: number } | { readonly unpinned: string };

let layout: Layout | undefined;

/** Decided once, from the cores this process may use before it pins itself. */
function coreLayout(): Layout {
  layout ??= decideLayout();
  return layout;
}

function decideLayout(): Layout {
  const wanted = process.env.BENCH_CORES ?? 'apart';
  if (wanted === 'none') return { unpinned: 'unpinned (`BENCH_CORES=none`)' };
  if (wanted !== 'apart' && wanted !== 'shared') {
    throw new Error(`BENCH_CORES: ${wanted}? (apart, shared or none)`);
  }
  const cores = allowedCores(process.pid);
  if (cores.length < 2) return { unpinned: 'unpinned (one core)' };
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return { unpinned: 'unpinned (no `taskset`)' };
  }
  return { load: cores[wanted === 'shared' ? 1 : 0], server: cores[1] };
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

/** Puts the bench process (every thread of it) on the load core. Call it before anything runs. */
export function pinBenchProcess(): void {
  const cores = coreLayout();
  if ('unpinned' in cores) return;
  execFileSync('taskset', ['-a', '-p', '-c', String(cores.load), String(process.pid)], {
    stdio: 'ignore',
  });
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

/** For the report's machine line, e.g. "servers on core 1, load generators on core 0". */
export function coresNote(): string {
  const cores = coreLayout();
  if ('unpinned' in cores) return cores.unpinned;
  if (cores.server === cores.load) {
    return `servers and load generators on core ${cores.server} (\`taskset\`, \`BENCH_CORES=shared\`)`;
  }
  return `servers on core ${cores.server}, load generators on core ${cores.load} (\`taskset\`)`;
}
