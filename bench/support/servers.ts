import { ChildProcess, execFileSync, fork, spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { get } from 'http';
import { join } from 'path';
import { findNginx, NGINX_RTMP_MODULE } from '../../test/support/nginx-rtmp';
import { freeLoopbackPort, waitForPort } from '../../test/support/ports';
import { ChildMessage, LatencyReport, ParentRequest, ServerCounters } from '../servers/ipc';

export type ServerKind =
  | 'nestjs-rtmp'
  | 'nestjs-rtmp-no-gop'
  | 'nestjs-rtmp-small-young'
  | 'nestjs-rtmp-defaults'
  | 'nginx-rtmp'
  | 'node-media-server'
  | 'node-floor'
  | 'node-floor-publish';

/**
 * The Node flag of the `nestjs-rtmp-small-young` variant: V8's semi-spaces kept at the 1 MB
 * they start at, instead of growing to 16. V8 frees a socket read's memory only when a
 * collection finds its Buffer dead. Its early young-generation collection for Buffer memory
 * waits for 32 MB of it, the flag aside; a smaller young generation fills with ordinary
 * objects sooner, so collections come sooner and return that memory, at the price of more of
 * them (see README, "Memory").
 */
export const SMALL_YOUNG_GENERATION_FLAG = '--max-semi-space-size=1';

/** Every server the bench compares, ours first. */
export const SERVER_KINDS: readonly ServerKind[] = [
  'nestjs-rtmp',
  'nginx-rtmp',
  'node-media-server',
];

export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  'nestjs-rtmp': 'nestjs-rtmp (this library)',
  'nestjs-rtmp-no-gop': 'nestjs-rtmp with `gopCache: false`',
  'nestjs-rtmp-small-young': `nestjs-rtmp run with \`${SMALL_YOUNG_GENERATION_FLAG}\``,
  'nestjs-rtmp-defaults': 'nestjs-rtmp (this library, default limits)',
  'nginx-rtmp': 'nginx-rtmp',
  'node-media-server': 'node-media-server',
  'node-floor': 'Node floor: a net.Server that only counts bytes',
  'node-floor-publish': 'Node floor: Publish.Start, then a net.Server that only counts bytes',
};

/** The version of node-media-server the bench installs (issue 6). */
export const NMS_VERSION = '4.4.3';

const ROOT = join(__dirname, '..', '..');
export const WORK_DIR = join(ROOT, '.bench-work');
const NMS_DIR = join(WORK_DIR, 'nms');
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const LOG_LINES = 40;

/** A server under test, running in a child process of its own on 127.0.0.1. */
export interface BenchServer {
  readonly kind: ServerKind;
  readonly pid: number;
  readonly port: number;
  readonly version: string;
  /** `rtmp://127.0.0.1:<port>/live/<name>`. */
  url(name: string): string;
  /** What the server counted. nginx reports bytes only (from rtmp_stat), no per-stream counts. */
  counters(): Promise<ServerCounters>;
  /** Node servers: full GC, then counters. nginx: counters. */
  gcThenCounters(): Promise<ServerCounters>;
  /** Drops ended streams from later counters. */
  forgetStreams(): Promise<void>;
  stop(): Promise<void>;
  /** The end of its output, for error messages. */
  logTail(): string;
}

/**
 * Starts a server. `profileDir` (ours only) runs it with `--cpu-prof` and writes the profile
 * there when the server is stopped.
 */
export async function startServer(
  kind: ServerKind,
  options: { profileDir?: string } = {},
): Promise<BenchServer> {
  switch (kind) {
    case 'nestjs-rtmp':
      return NodeServer.start(kind, compiledServer('nestjs-rtmp-server'), [], options.profileDir);
    case 'nestjs-rtmp-small-young':
      return NodeServer.start(kind, compiledServer('nestjs-rtmp-server'), [], undefined, [
        SMALL_YOUNG_GENERATION_FLAG,
      ]);
    case 'nestjs-rtmp-defaults':
      return NodeServer.start(
        kind,
        compiledServer('nestjs-rtmp-defaults-server'),
        [],
        options.profileDir,
      );
    case 'nestjs-rtmp-no-gop':
      return NodeServer.start(
        kind,
        compiledServer('nestjs-rtmp-server'),
        [JSON.stringify({ gopCache: false })],
        options.profileDir,
      );
    case 'node-media-server': {
      const port = await freeLoopbackPort();
      const dataDir = join(WORK_DIR, 'nms-data', `${process.pid}-${port}`);
      mkdirSync(dataDir, { recursive: true });
      return NodeServer.start(
        kind,
        compiledServer('node-media-server'),
        [NMS_DIR, String(port), dataDir],
        undefined,
      );
    }
    case 'nginx-rtmp':
      return NginxServer.start();
    case 'node-floor':
      return NodeServer.start(kind, compiledServer('node-floor-server'), [], undefined);
    case 'node-floor-publish':
      return NodeServer.start(kind, compiledServer('node-floor-publish-server'), [], undefined);
  }
}

/** Where `compileServers` puts the JavaScript of bench/servers and what it imports. */
const BUILD_DIR = join(WORK_DIR, 'build');

/** The compiled entry point of bench/servers/<name>.ts. */
export function compiledServer(name: string): string {
  return join(BUILD_DIR, 'bench', 'servers', `${name}.js`);
}

/** The compiled entry point of bench/support/<name>.ts (the load generators that run apart). */
export function compiledSupport(name: string): string {
  return join(BUILD_DIR, 'bench', 'support', `${name}.js`);
}

/**
 * Compiles bench/servers, the fan-out scenario's player swarm and the hostile-traffic scenario's
 * probe client (and the library code they import) to JavaScript with tsc, so that they run as
 * they would in production: under ts-node, the TypeScript compiler alone would add about 100 MB
 * to a process's RSS.
 */
export function compileServers(): void {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'bench', 'tsconfig.servers.json')],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

/** Installs node-media-server into .bench-work/nms (git-ignored) unless it is there already. */
export function ensureNodeMediaServer(): string {
  const packageJson = join(NMS_DIR, 'node_modules', 'node-media-server', 'package.json');
  if (existsSync(packageJson)) {
    const installed = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string })
      .version;
    if (installed === NMS_VERSION) return installed;
  }
  mkdirSync(NMS_DIR, { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      NMS_DIR,
      `node-media-server@${NMS_VERSION}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return NMS_VERSION;
}

function keepTail(lines: string[], data: Buffer): void {
  lines.push(...data.toString().trimEnd().split('\n'));
  if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
}

function waitForExit(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The Nest application of the consumer-latency scenario (../servers/latency-app.ts). */
export function startLatencyApp(): Promise<NodeServer> {
  return NodeServer.start('nestjs-rtmp', compiledServer('latency-app'), [], undefined);
}

/** Ours or node-media-server: a Node child that speaks ../servers/ipc.ts. */
export class NodeServer implements BenchServer {
  private nextId = 1;
  private readonly pending = new Map<number, (message: ChildMessage) => void>();
  private readonly log: string[] = [];

  private constructor(
    readonly kind: ServerKind,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly version: string,
  ) {
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'reply') return;
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
  }

  static async start(
    kind: ServerKind,
    script: string,
    args: string[],
    profileDir: string | undefined,
    nodeFlags: readonly string[] = [],
  ): Promise<NodeServer> {
    const execArgv = ['--expose-gc', ...nodeFlags];
    if (profileDir !== undefined) {
      execArgv.push('--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}`);
    }
    const child = fork(script, args, {
      cwd: ROOT,
      execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const log: string[] = [];
    child.stdout?.on('data', (data: Buffer) => keepTail(log, data));
    child.stderr?.on('data', (data: Buffer) => keepTail(log, data));
    const ready = await new Promise<{ port: number; version: string }>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`${kind} did not start within ${START_TIMEOUT_MS} ms:\n${log.join('\n')}`),
        );
      }, START_TIMEOUT_MS);
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${kind} exited (${code}) before it was ready:\n${log.join('\n')}`));
      });
    });
    const server = new NodeServer(kind, child, ready.port, ready.version);
    server.log.push(...log);
    child.stdout?.on('data', (data: Buffer) => keepTail(server.log, data));
    child.stderr?.on('data', (data: Buffer) => keepTail(server.log, data));
    return server;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  url(name: string): string {
    return `rtmp://127.0.0.1:${this.port}/live/${name}`;
  }

  async counters(): Promise<ServerCounters> {
    return (await this.request('counters')).counters as ServerCounters;
  }

  async gcThenCounters(): Promise<ServerCounters> {
    return (await this.request('gc')).counters as ServerCounters;
  }

  async forgetStreams(): Promise<void> {
    await this.request('forget-streams');
  }

  /** The latency app only. */
  async latency(): Promise<LatencyReport> {
    const reply = await this.request('latency');
    if (reply.type !== 'reply' || reply.latency === undefined) throw new Error('no latency report');
    return reply.latency;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = waitForExit(this.child, STOP_GRACE_MS);
    await this.request('stop').catch(() => undefined);
    await exited;
  }

  logTail(): string {
    return this.log.join('\n');
  }

  private request(type: ParentRequest['type']): Promise<ChildMessage & { type: 'reply' }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.kind} did not answer ${type} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message as ChildMessage & { type: 'reply' });
      });
      this.child.send({ id, type } as ParentRequest);
    });
  }
}

/**
 * nginx with Debian's libnginx-mod-rtmp: one process (`master_process off`), `live on`
 * (`wait_key on`, so that players start at a keyframe), no recording. Its counts come from
 * `rtmp_stat` on a loopback HTTP port of the same process.
 */
class NginxServer implements BenchServer {
  readonly kind = 'nginx-rtmp';
  private readonly log: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly prefix: string,
    readonly port: number,
    private readonly statPort: number,
    readonly version: string,
  ) {
    child.stderr?.on('data', (data: Buffer) => keepTail(this.log, data));
  }

  static async start(): Promise<NginxServer> {
    const [port, statPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const prefix = join(WORK_DIR, 'nginx', `${process.pid}-${port}`);
    mkdirSync(prefix, { recursive: true });
    const config = join(prefix, 'nginx.conf');
    writeFileSync(config, nginxConfig(prefix, port, statPort));
    const child = spawn(findNginx(), ['-p', prefix, '-e', 'stderr', '-c', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const server = new NginxServer(child, prefix, port, statPort, nginxVersion());
    let exited = false;
    child.once('exit', () => (exited = true));
    const ready =
      (await waitForPort(port, { timeoutMs: START_TIMEOUT_MS, giveUp: () => exited })) &&
      (await waitForPort(statPort, { timeoutMs: START_TIMEOUT_MS, giveUp: () => exited }));
    if (!ready) {
      await server.stop();
      throw new Error(`nginx did not start:\n${server.logTail()}`);
    }
    return server;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  url(name: string): string {
    return `rtmp://127.0.0.1:${this.port}/live/${name}`;
  }

  async counters(): Promise<ServerCounters> {
    const xml = await httpGet(`http://127.0.0.1:${this.statPort}/stat`);
    const number = (tag: string): number =>
      Number(new RegExp(`<${tag}>(\\d+)</${tag}>`).exec(xml)?.[1] ?? NaN);
    // The first <bytes_in> is the server-wide total; streams have their own further down.
    return {
      bytesIn: number('bytes_in'),
      connections: (xml.match(/<client>/g) ?? []).length,
      streams: [],
      heapAndExternal: 0,
      youngGeneration: 0,
    };
  }

  gcThenCounters(): Promise<ServerCounters> {
    return this.counters();
  }

  async forgetStreams(): Promise<void> {}

  async stop(): Promise<void> {
    const exited = waitForExit(this.child, STOP_GRACE_MS);
    this.child.kill('SIGTERM');
    await exited;
    rmSync(this.prefix, { recursive: true, force: true });
  }

  logTail(): string {
    return this.log.join('\n');
  }
}

function nginxConfig(prefix: string, port: number, statPort: number): string {
  return [
    `load_module ${NGINX_RTMP_MODULE};`,
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    'error_log stderr warn;',
    `pid ${join(prefix, 'nginx.pid')};`,
    // The idle-connection scenario holds 1000 connections, plus a few for stat requests.
    'events { worker_connections 4096; }',
    'rtmp {',
    '  access_log off;',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    chunk_size 4096;',
    '    application live {',
    '      live on;',
    // Players start at a keyframe (the default sends whatever frame comes next after the
    // sequence headers, which a decoder cannot start from). Publishers are not affected.
    '      wait_key on;',
    '    }',
    '  }',
    '}',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (kind) => `  ${kind}_temp_path ${join(prefix, `${kind}_temp`)};`,
    ),
    '  server {',
    `    listen 127.0.0.1:${statPort};`,
    '    location /stat { rtmp_stat all; }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** e.g. "nginx 1.22.1, libnginx-mod-rtmp 1:1.2.2+dfsg-3". */
function nginxVersion(): string {
  // nginx -v prints to stderr.
  const banner = spawnSync(findNginx(), ['-v'], { encoding: 'utf8' });
  const nginx = /nginx\/(\S+)/.exec(`${banner.stdout}${banner.stderr}`)?.[1] ?? '?';
  let module = '?';
  try {
    module = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'libnginx-mod-rtmp']).toString();
  } catch {
    // not a Debian package
  }
  return `nginx ${nginx}, libnginx-mod-rtmp ${module}`;
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString()));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`${url} timed out`)));
  });
}
