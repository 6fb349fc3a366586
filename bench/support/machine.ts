import { execFileSync } from 'child_process';
import { cpus, release, totalmem } from 'os';
import { join } from 'path';
import { coresNote } from './cores';

/** The machine a run measured on, as both reports (the bench's and the soak's) describe it. */
export interface Machine {
  readonly cores: number;
  readonly cpuModel: string | undefined;
  readonly memoryBytes: number;
  readonly kernel: string;
  readonly node: string;
  readonly ffmpeg: string;
  readonly fileLimit: string;
  /** Which core the servers and the load generators ran on (./cores.ts); absent: unpinned. */
  readonly pinning?: string;
}

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim(),
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    ffmpeg: execFileSync('ffmpeg', ['-version'])
      .toString()
      .split('\n')[0]
      .replace(/ Copyright.*/, ''),
    fileLimit: execFileSync('bash', ['-c', 'ulimit -n']).toString().trim(),
    pinning: coresNote(),
  };
}

/**
 * e.g. "2 cores (AMD EPYC), 24 GiB, Linux 6.1, Node v20.20.2, ffmpeg version 5.1.9; servers on
 * core 1, load generators on core 0".
 */
export function machineLine(machine: Machine): string {
  const memory = (machine.memoryBytes / 2 ** 30).toFixed(0);
  return (
    `${machine.cores} cores (${machine.cpuModel}), ${memory} GiB, Linux ${machine.kernel}, ` +
    `Node ${machine.node}, ${machine.ffmpeg}; ${machine.pinning ?? 'unpinned'}`
  );
}

/** git in this checkout (or `cwd`); '?' where it fails. */
export function git(args: readonly string[], cwd = join(__dirname, '..', '..')): string {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '?';
  }
}
