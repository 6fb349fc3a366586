import { readFileSync, writeFileSync } from 'fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream arch). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, every thread) a process has used so far, from /proc/<pid>/stat.
 * The resolution is one tick (10 ms), so only deltas over runs of a second or more mean much.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15; fields[0] is field 3.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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

/** CPU and memory of one process over a measured stretch. */
export class ProcessMeter {
  private readonly cpuAtStart: number;
  private readonly startedAt = performance.now();
  readonly peakReset: boolean;

  constructor(readonly pid: number) {
    this.peakReset = resetPeakRss(pid);
    this.cpuAtStart = cpuSeconds(pid);
  }

  /** CPU seconds used since construction. */
  cpu(): number {
    return cpuSeconds(this.pid) - this.cpuAtStart;
  }

  /** Wall seconds since construction. */
  wall(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  memory(): ProcessMemory {
    return processMemory(this.pid);
  }
}
