import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { findNginx, NGINX_RTMP_MODULE } from '../../test/support/nginx-rtmp';
import { freeLoopbackPort, waitForPort } from '../../test/support/ports';
import { ServerCounters } from '../servers/ipc';
import { assertOnCore, onCore } from './cores';
import { exitWithin, LogTail, STOP_GRACE_MS } from './forked-child';
import type { BenchServer, NginxKind } from './servers';

const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * nginx with Debian's libnginx-mod-rtmp: one process (`master_process off`), `live on`
 * (`wait_key on`, so that players start at a keyframe), no recording. Its counts come from
 * `rtmp_stat` on a loopback HTTP port of the same process.
 */
export class NginxServer implements BenchServer {
  private readonly log = new LogTail();

  private constructor(
    readonly kind: NginxKind,
    private readonly child: ChildProcess,
    private readonly prefix: string,
    readonly port: number,
    private readonly statPort: number,
    readonly version: string,
  ) {
    child.stderr?.on('data', (data: Buffer) => this.log.keep(data));
  }

  /** Starts one, its files under `workDir`/nginx. */
  static async start(kind: NginxKind, workDir: string): Promise<NginxServer> {
    const [port, statPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const prefix = join(workDir, 'nginx', `${process.pid}-${port}`);
    mkdirSync(prefix, { recursive: true });
    const config = join(prefix, 'nginx.conf');
    writeFileSync(config, nginxConfig(prefix, port, statPort, CHUNK_SIZES[kind]));
    const nginx = onCore('server', findNginx(), ['-p', prefix, '-e', 'stderr', '-c', config]);
    const child = spawn(nginx.command, nginx.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const server = new NginxServer(kind, child, prefix, port, statPort, nginxVersion());
    let exited = false;
    child.once('exit', () => (exited = true));
    const ready =
      (await waitForPort(port, { timeoutMs: START_TIMEOUT_MS, giveUp: () => exited })) &&
      (await waitForPort(statPort, { timeoutMs: START_TIMEOUT_MS, giveUp: () => exited }));
    if (!ready) {
      await server.stop();
      throw new Error(`nginx did not start:\n${server.logTail()}`);
    }
    try {
      assertOnCore(server.pid, 'server', 'nginx');
    } catch (error) {
      await server.stop();
      throw error;
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
    const stat = await fetch(`http://127.0.0.1:${this.statPort}/stat`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const xml = await stat.text();
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
    const exited = exitWithin(this.child, STOP_GRACE_MS);
    this.child.kill('SIGTERM');
    await exited;
    rmSync(this.prefix, { recursive: true, force: true });
  }

  logTail(): string {
    return this.log.toString();
  }
}

/** The chunk size each kind announces (and FFmpeg then publishes in). */
const CHUNK_SIZES: Readonly<Record<NginxKind, number>> = {
  'nginx-rtmp': 4096,
  'nginx-rtmp-65536': 65536,
};

function nginxConfig(prefix: string, port: number, statPort: number, chunkSize: number): string {
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
    `    chunk_size ${chunkSize};`,
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
