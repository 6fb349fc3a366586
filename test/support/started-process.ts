import { ChildProcess, spawn } from 'child_process';
import { ProcessResult } from './child-processes';

export interface StartOptions {
  readonly cwd?: string;
  /** The whole environment of the child (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed with SIGKILL past this, so a hung child fails the test instead of hanging it. */
  readonly timeoutMs?: number;
}

/** A child process that runs while the test talks to it (a server, an application). */
export interface StartedProcess {
  readonly child: ChildProcess;
  /** Resolves when it has exited, with everything it printed. */
  readonly exited: Promise<ProcessResult>;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Everything printed on stderr so far. */
  stderr(): string;
  /**
   * Resolves with the first match of `pattern` in stdout (printed already or still to come);
   * rejects, with the output so far, if the process exits or `timeoutMs` passes first.
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const started = new Set<ChildProcess>();

/** Starts a command; its output is collected and can be waited on. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): StartedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout?.on('data', (data: Buffer) => {
    stdout += data.toString();
    for (const watcher of watchers) watcher();
  });
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      started.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      started.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  // A caller that only waits for output must not see an unhandled rejection.
  exited.catch(() => undefined);

  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        watchers.delete(check);
        clearTimeout(deadline);
        reject(
          new Error(`${why} without printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`),
        );
      };
      const check = (): boolean => {
        const match = stdout.match(pattern);
        if (match === null) return false;
        watchers.delete(check);
        clearTimeout(deadline);
        resolve(match);
        return true;
      };
      const deadline = setTimeout(() => fail(`${timeoutMs} ms passed`), timeoutMs);
      if (check()) return;
      watchers.add(check);
      exited.then(
        (result) => {
          if (!check()) fail(`exited (code ${result.code}, signal ${result.signal})`);
        },
        (error: unknown) => fail(`failed to run (${String(error)})`),
      );
    });

  return { child, exited, stdout: () => stdout, stderr: () => stderr, waitForOutput };
}

/** Runs a command to completion in `cwd` (never rejects on a non-zero exit: tests assert). */
export function runIn(
  cwd: string,
  command: string,
  args: readonly string[],
  options: Omit<StartOptions, 'cwd'> = {},
): Promise<ProcessResult> {
  return startProcess(command, args, { ...options, cwd }).exited;
}

/** Kills whatever is still running (for afterAll). */
export function killStartedProcesses(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}
