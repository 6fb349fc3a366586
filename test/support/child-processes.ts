import { ChildProcess, spawn } from 'child_process';

/** What a finished child process left behind. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/**
 * Runs a command to completion and resolves with its output (never rejects on a non-zero
 * exit: tests assert on it). A run past `timeoutMs` is killed, so a hung peer fails the test
 * instead of hanging it.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<ProcessResult> & { child: ChildProcess } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const result = new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return Object.assign(result, { child });
}

/** Kills whatever is still running (for afterAll). */
export function killAllProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
