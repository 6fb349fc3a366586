import { ChildProcess, spawn } from 'child_process';
import { basename } from 'path';
import { assertOnCore, CoreRole, onCore } from './cores';

/*
 * The one way the bench runs a Node process of its own (a server under test, the player swarm,
 * the handshake probe) and talks to it. The child says `{ type: 'ready', ... }` once, then
 * answers each `{ id, type, ... }` request with `{ type: 'reply', id, ... }`
 * (./parent-channel.ts is that side). The channel numbers the requests: their types carry no id.
 * It runs on the core of its role (./cores.ts).
 */

interface Reply {
  readonly type: 'reply';
  readonly id: number;
  readonly [field: string]: unknown;
}

/** How long a child may take to exit once told to, before it is killed. */
export const STOP_GRACE_MS = 10_000;
/** Lines of output kept for error messages. */
const LOG_LINES = 40;

/** The end of a child's output, kept for error messages. */
export class LogTail {
  private readonly lines: string[] = [];

  keep(data: Buffer): void {
    this.lines.push(...data.toString().trimEnd().split('\n'));
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

export interface ForkOptions {
  /** A server under test, or (by default) a load generator. */
  readonly role?: CoreRole;
  readonly args?: readonly string[];
  readonly execArgv?: readonly string[];
  readonly cwd?: string;
  readonly startTimeoutMs: number;
  /** Keep the end of its output for {@link ForkedChild.logTail} instead of passing it through. */
  readonly keepLog?: boolean;
}

/** Resolves once `child` has exited (at once if it has), killing it if it takes over `graceMs`. */
export function exitWithin(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export class ForkedChild<Request extends { readonly type: string }, Ready> {
  /** Its ready message; rejects if it exits or stays silent past the start timeout. */
  readonly ready: Promise<Ready>;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly log = new LogTail();
  private readonly child: ChildProcess;

  constructor(
    private readonly name: string,
    script: string,
    options: ForkOptions,
  ) {
    // What fork() does, through onCore: Node with an IPC channel.
    const node = [...(options.execArgv ?? []), script, ...(options.args ?? [])];
    const role = options.role ?? 'load';
    const { command, args } = onCore(role, process.execPath, node);
    this.child = spawn(command, args, {
      cwd: options.cwd,
      stdio: options.keepLog
        ? ['ignore', 'pipe', 'pipe', 'ipc']
        : ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.stdout?.on('data', (data: Buffer) => this.log.keep(data));
    this.child.stderr?.on('data', (data: Buffer) => this.log.keep(data));
    this.child.on('message', (message: { type: string }) => {
      if (message.type !== 'reply') return;
      const reply = message as Reply;
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    this.ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(
          new Error(`${name} did not start within ${options.startTimeoutMs} ms\n${this.logTail()}`),
        );
      }, options.startTimeoutMs);
      this.child.on('message', (message: { type: string }) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        try {
          assertOnCore(this.pid, role, basename(process.execPath));
          resolve(message as Ready);
        } catch (error) {
          this.child.kill('SIGKILL');
          reject(error as Error);
        }
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before it was ready\n${this.logTail()}`));
      });
    });
    // Seen by whoever awaits `ready`; not an unhandled rejection in the meantime.
    this.ready.catch(() => undefined);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The child's reply to `request`; rejects past `timeoutMs`. */
  request(request: Request, timeoutMs: number): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} did not answer ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.send({ ...request, id });
    });
  }

  /** The `field` of the child's reply to `request`, which must hold it. */
  async ask<T>(request: Request, field: string, timeoutMs: number): Promise<T> {
    const value = (await this.request(request, timeoutMs))[field];
    if (value === undefined) {
      throw new Error(`${this.name} answered ${request.type} without ${field}`);
    }
    return value as T;
  }

  /**
   * Ends the child: with `last` (a request it exits after answering), else by closing its
   * channel, which it exits on. One that lingers is killed. Resolves once it has exited.
   */
  async stop(last?: Request): Promise<void> {
    const exited = exitWithin(this.child, STOP_GRACE_MS);
    if (this.child.connected) {
      if (last !== undefined) await this.request(last, STOP_GRACE_MS).catch(() => undefined);
      else this.child.disconnect();
    }
    await exited;
  }

  /** The end of its output (with `keepLog`), for error messages. */
  logTail(): string {
    return this.log.toString();
  }
}
