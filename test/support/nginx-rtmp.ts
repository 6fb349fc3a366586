import { ChildProcess } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { createServer as createHttpServer, IncomingMessage, Server as HttpServer } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import { ProcessResult, runProcess } from './child-processes';
import { freeLoopbackPort, waitForPort } from './ports';

/** Where Debian's libnginx-mod-rtmp puts the module. */
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** Longest an nginx run may last before runProcess kills it (a leak guard, not a test limit). */
const RUN_LIMIT_MS = 5 * 60_000;
/** How long nginx gets to accept connections after it is spawned. */
const START_TIMEOUT_MS = 10_000;
/** How long nginx gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
/** Launch attempts when a picked port turns out to be taken (someone bound it meanwhile). */
const PORT_ATTEMPTS = 5;
/** Lines of nginx's stderr kept for error messages. */
const LOG_LINES = 200;

/** One HTTP callback nginx made (on_publish, on_record_done...). */
export interface NginxNotification {
  /** `publish`, `record_done`... (nginx's `call` argument). */
  readonly call: string;
  readonly app: string;
  readonly name: string;
  /** Every argument nginx sent. */
  readonly args: URLSearchParams;
}

/** A recording nginx has finished writing (it called on_record_done for it). */
export interface NginxRecording {
  /** Which start of nginx wrote it: 1 for the first, 2 after one restart... */
  readonly run: number;
  readonly name: string;
  readonly path: string;
}

export interface NginxRtmpOptions {
  /**
   * Answers nginx's `on_publish` callback with this HTTP status (2xx accepts, anything else
   * makes nginx drop the publisher). Without it nginx has no `on_publish`.
   */
  readonly onPublish?: (notification: NginxNotification) => number;
  /** How nginx sends its callbacks. Default `get`. */
  readonly notifyMethod?: 'get' | 'post';
  /** nginx's `record_unique`. Default off: every start records into a folder of its own. */
  readonly recordUnique?: boolean;
}

/**
 * A private nginx with the RTMP module, for interop tests: one process (`daemon off;
 * master_process off;`, so killing the child stops it), on a free loopback port, in a temporary
 * prefix, with `application live { live on; record all; }`. A small HTTP server of the test
 * answers nginx's callbacks: `on_publish` (when asked for) and `on_record_done`, which tells
 * when nginx has closed a recording, so no test has to guess when a file is complete.
 *
 * It can be stopped and started again on the same port; each start records into its own
 * folder (`record-<run>`), so recordings of different starts never overwrite each other.
 */
export class NginxRtmp {
  /** Every callback nginx made, in order. */
  readonly notifications: NginxNotification[] = [];
  /** Every recording nginx finished, in order. */
  readonly recordings: NginxRecording[] = [];
  /** Pending `recording()` calls: `check` looks again, `cancel` rejects (on dispose). */
  private readonly recordingWaiters = new Set<{ check(): void; cancel(): void }>();
  private readonly log: string[] = [];
  private notifyServer: HttpServer | undefined;
  private notifyPort = 0;
  private spawned: (Promise<ProcessResult> & { child: ChildProcess }) | undefined;
  private exited: Promise<ProcessResult> | undefined;
  private listenPort = 0;
  private runs = 0;

  private constructor(
    readonly prefix: string,
    private readonly options: NginxRtmpOptions,
  ) {}

  /** Starts nginx on a free loopback port; resolves once it accepts connections. */
  static async start(options: NginxRtmpOptions = {}): Promise<NginxRtmp> {
    const nginx = new NginxRtmp(mkdtempSync(join(tmpdir(), 'rtmp-nginx-')), options);
    try {
      await nginx.listenForNotifications();
      await nginx.launch(undefined);
      return nginx;
    } catch (error) {
      await nginx.dispose();
      throw error;
    }
  }

  /** The RTMP port (the same across restarts). */
  get port(): number {
    return this.listenPort;
  }

  /** How many times nginx has been started. */
  get run(): number {
    return this.runs;
  }

  /** Whether the nginx process is running. */
  get running(): boolean {
    return this.spawned !== undefined;
  }

  /** `rtmp://127.0.0.1:<port>/<app>/<name>`. */
  url(name: string, app = 'live'): string {
    return `rtmp://127.0.0.1:${this.listenPort}/${app}/${name}`;
  }

  /** The folder where start number `run` records. */
  recordDir(run = this.runs): string {
    return join(this.prefix, `record-${run}`);
  }

  /** The files start number `run` has written so far (complete once that run has ended). */
  recordedFiles(run = this.runs): string[] {
    const dir = this.recordDir(run);
    return existsSync(dir) ? readdirSync(dir).map((file) => join(dir, file)) : [];
  }

  /** The end of nginx's error log, for failure messages. */
  logTail(lines = 30): string {
    return this.log.slice(-lines).join('\n');
  }

  /**
   * Resolves with the path of stream `name`'s recording once nginx has closed it (it calls
   * on_record_done when the publisher leaves). `run` picks which start of nginx wrote it.
   */
  recording(name: string, options: { run?: number; timeoutMs?: number } = {}): Promise<string> {
    const run = options.run ?? this.runs;
    const find = (): string | undefined =>
      this.recordings.find((r) => r.name === name && r.run === run)?.path;
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const settle = (error: Error | undefined, path?: string): void => {
        clearTimeout(timer);
        this.recordingWaiters.delete(waiter);
        if (error !== undefined) reject(error);
        else resolve(path as string);
      };
      const waiter = {
        check: (): void => {
          const path = find();
          if (path !== undefined) settle(undefined, path);
        },
        cancel: (): void => settle(new Error(`nginx was disposed before recording ${name}`)),
      };
      const timer = setTimeout(() => {
        const seen = this.recordings.map((r) => `${r.run}:${r.name}`).join(', ') || 'none';
        settle(
          new Error(
            `nginx did not finish a recording of ${name} (run ${run}) within ${timeoutMs} ms; ` +
              `finished: ${seen}\n${this.logTail()}`,
          ),
        );
      }, timeoutMs);
      this.recordingWaiters.add(waiter);
    });
  }

  /** Stops nginx (SIGTERM, then SIGKILL after a grace period); resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const spawned = this.spawned;
    const exited = this.exited;
    if (spawned === undefined || exited === undefined) return;
    spawned.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        spawned.child.kill('SIGKILL');
        resolve();
      }, STOP_GRACE_MS);
    });
    await Promise.race([exited, grace]);
    await exited;
    clearTimeout(timer);
  }

  /** Starts nginx again on the same port; resolves once it accepts connections. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch(this.listenPort);
  }

  /** Stops nginx and the callback server and removes the prefix folder. */
  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    for (const waiter of [...this.recordingWaiters]) waiter.cancel();
    const server = this.notifyServer;
    this.notifyServer = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(this.prefix, { recursive: true, force: true });
  }

  private async listenForNotifications(): Promise<void> {
    const server = createHttpServer((request, response) => {
      void readArgs(request).then(
        (args) => {
          const notification: NginxNotification = {
            call: args.get('call') ?? '',
            app: args.get('app') ?? '',
            name: args.get('name') ?? '',
            args,
          };
          this.notifications.push(notification);
          let status = 200;
          if (notification.call === 'publish' && this.options.onPublish !== undefined) {
            status = this.options.onPublish(notification);
          } else if (notification.call === 'record_done') {
            this.onRecordDone(notification);
          }
          response.statusCode = status;
          response.end();
        },
        () => {
          response.statusCode = 400;
          response.end();
        },
      );
    });
    this.notifyServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.notifyPort = (server.address() as AddressInfo).port;
  }

  private onRecordDone(notification: NginxNotification): void {
    const path = notification.args.get('path') ?? '';
    const match = /record-(\d+)[/\\][^/\\]+$/.exec(path);
    if (match === null) return;
    this.recordings.push({ run: Number(match[1]), name: notification.name, path });
    for (const waiter of [...this.recordingWaiters]) waiter.check();
  }

  /**
   * Spawns nginx on `fixedPort`, or on a freshly picked free port (picked again if someone
   * binds it first), and waits until the port accepts connections.
   */
  private async launch(fixedPort: number | undefined): Promise<void> {
    const binary = findNginx();
    for (let attempt = 1; ; attempt += 1) {
      const port = fixedPort ?? (await freeLoopbackPort());
      const run = this.runs + 1;
      mkdirSync(this.recordDir(run), { recursive: true });
      const config = join(this.prefix, `nginx-${run}.conf`);
      writeFileSync(config, this.config(port, run));
      const spawned = runProcess(
        binary,
        ['-p', this.prefix, '-e', 'stderr', '-c', config],
        RUN_LIMIT_MS,
      );
      spawned.child.stderr?.on('data', (data: Buffer) => {
        this.log.push(...data.toString().trimEnd().split('\n'));
        if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
      });
      let hasExited = false;
      const exited = spawned.then((result) => {
        hasExited = true;
        if (this.spawned === spawned) {
          this.spawned = undefined;
          this.exited = undefined;
        }
        return result;
      });
      this.spawned = spawned;
      this.exited = exited;
      const ready = await waitForPort(port, {
        timeoutMs: START_TIMEOUT_MS,
        giveUp: () => hasExited,
      });
      if (ready) {
        this.listenPort = port;
        this.runs = run;
        return;
      }
      await this.stop('SIGKILL');
      const inUse = /Address already in use/.test(this.logTail(10));
      if (inUse && fixedPort === undefined && attempt < PORT_ATTEMPTS) continue;
      throw new Error(`nginx did not start on 127.0.0.1:${port}:\n${this.logTail()}`);
    }
  }

  private config(port: number, run: number): string {
    const notify = `http://127.0.0.1:${this.notifyPort}`;
    return [
      `load_module ${NGINX_RTMP_MODULE};`,
      'daemon off;',
      'master_process off;',
      'error_log stderr info;',
      `pid ${join(this.prefix, `nginx-${run}.pid`)};`,
      'events { worker_connections 256; }',
      'rtmp {',
      '  access_log off;',
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    chunk_size 4096;',
      '    application live {',
      '      live on;',
      '      record all;',
      `      record_path ${this.recordDir(run)};`,
      `      record_unique ${this.options.recordUnique ? 'on' : 'off'};`,
      `      notify_method ${this.options.notifyMethod ?? 'get'};`,
      `      on_record_done ${notify}/record_done;`,
      this.options.onPublish !== undefined ? `      on_publish ${notify}/publish;` : '',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
  }
}

/** The nginx binary: on PATH, or where Debian installs it (/usr/sbin is not on every PATH). */
export function findNginx(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir !== '' && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  }
  throw new Error('nginx is not installed: run scripts/ensure-peers.sh nginx-rtmp');
}

/** nginx's callback arguments: the query string (GET) or the urlencoded body (POST). */
async function readArgs(request: IncomingMessage): Promise<URLSearchParams> {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  if (request.method !== 'POST') {
    request.resume();
    return query;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = new URLSearchParams(Buffer.concat(chunks).toString());
  for (const [key, value] of query) body.append(key, value);
  return body;
}
