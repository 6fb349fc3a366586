import { readdirSync, readFileSync, writeFileSync } from 'fs';
import { sleep } from './util';

/*
 * The one place the bench reads /proc: CPU time, memory and write calls of a process (a server,
 * a load generator), and the machine's load.
 */

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream arch). */
const TICKS_PER_SECOND = 100;

/** utime and stime of /proc/<pid>/stat (every thread), in ticks: whole numbers, subtracted exactly. */
function cpuTicks(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15; fields[0] is field 3.
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/**
 * CPU seconds (user + system, every thread) a process has used so far. The resolution is one
 * tick (10 ms), so only deltas over runs of a second or more mean much.
 */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuTicks(pid);
  return (user + system) / TICKS_PER_SECOND;
}

/**
 * The nanoseconds each thread of a process has run so far, by thread id (the first field of
 * /proc/<pid>/task/<tid>/schedstat: the scheduler's own count, not rounded to ticks).
 * Undefined where the kernel does not provide it.
 */
function threadRuntimes(pid: number): Map<string, number> | undefined {
  try {
    const runtimes = new Map<string, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const schedstat = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
        runtimes.set(tid, Number(schedstat.split(' ')[0]));
      } catch {
        // The thread exited since the directory was read.
      }
    }
    return runtimes;
  } catch {
    return undefined;
  }
}

/** Write-type system calls (write, writev...) a process has made so far (syscw, /proc/<pid>/io). */
function writeCalls(pid: number): number {
  return Number(/^syscw:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}

export interface ProcessMemory {
  /** Resident set now, in bytes. */
  readonly rss: number;
  /** Peak resident set since the start or the last {@link resetPeakRss}, in bytes. */
  readonly peakRss: number;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (`echo 5 > /proc/<pid>/clear_refs`,
 * Linux 4.0+), so that a scenario's peak is its own. Returns false where that is not allowed.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** Waits until a process's CPU time stops moving for `quietMs`, at most `limitMs`. */
export async function cpuSettled(pid: number, quietMs: number, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  let last = cpuSeconds(pid);
  while (performance.now() < deadline) {
    await sleep(quietMs);
    const now = cpuSeconds(pid);
    if (now === last) return;
    last = now;
  }
}

/**
 * CPU, write calls and memory of one process over a measured stretch, from construction on.
 * The peak RSS is reset as it starts unless `resetPeak` is false (a stretch inside another).
 */
export class ProcessMeter {
  private readonly cpuAtStart: { user: number; system: number };
  private readonly runtimesAtStart: Map<string, number> | undefined;
  private readonly writesAtStart: number | undefined;
  private readonly startedAt = performance.now();
  readonly peakReset: boolean;

  constructor(
    readonly pid: number,
    options: { resetPeak?: boolean; writeCalls?: boolean } = {},
  ) {
    this.peakReset = options.resetPeak === false ? false : resetPeakRss(pid);
    this.writesAtStart = options.writeCalls === true ? writeCalls(pid) : undefined;
    this.cpuAtStart = cpuTicks(pid);
    this.runtimesAtStart = threadRuntimes(pid);
  }

  /** CPU seconds used since construction. */
  cpu(): number {
    const { user, system } = cpuTicks(this.pid);
    return (user + system - this.cpuAtStart.user - this.cpuAtStart.system) / TICKS_PER_SECOND;
  }

  /**
   * cpu() to the nanosecond, from the scheduler's count per thread: a tick (10 ms) is several
   * per cent of a stretch of half a second. A thread that exits during the stretch takes its
   * time with it (a server's threads live as long as it does). Falls back to cpu().
   */
  preciseCpu(): number {
    const [before, now] = [this.runtimesAtStart, threadRuntimes(this.pid)];
    if (before === undefined || now === undefined || now.size === 0) return this.cpu();
    let nanoseconds = 0;
    for (const [tid, runtime] of now) nanoseconds += runtime - (before.get(tid) ?? 0);
    return nanoseconds / 1e9;
  }

  /** Of cpu(), the kernel's part (stime). */
  systemCpu(): number {
    return (cpuTicks(this.pid).system - this.cpuAtStart.system) / TICKS_PER_SECOND;
  }

  /** Write calls since construction (with `writeCalls: true`). */
  writeCalls(): number {
    return writeCalls(this.pid) - (this.writesAtStart ?? NaN);
  }

  /** Wall seconds since construction. */
  wall(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  memory(): ProcessMemory {
    return processMemory(this.pid);
  }
}
