import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { freeLoopbackPort } from '../../test/support/ports';
import { LatencyReport, ParentRequest, ServerCounters, ServerReady } from '../servers/ipc';
import { ForkedChild } from './forked-child';
import { NginxServer } from './nginx-server';

/** Ours: the library's bench servers (bare, or through Nest) as each variant runs them. */
export type OurKind =
  | 'nestjs-rtmp'
  | 'nestjs-rtmp-no-gop'
  | 'nestjs-rtmp-small-young'
  | 'nestjs-rtmp-nest'
  | 'nestjs-rtmp-nest-small-young'
  | 'nestjs-rtmp-defaults'
  | 'nestjs-rtmp-nagle'
  | 'nestjs-rtmp-merged';

/** The ones of ours that BENCH_BASELINE also runs built from another commit. */
export type TwinnedKind =
  'nestjs-rtmp' | 'nestjs-rtmp-no-gop' | 'nestjs-rtmp-nest' | 'nestjs-rtmp-defaults';
export type BaselineKind = `${TwinnedKind}-baseline`;

/** nginx-rtmp at the chunk size it announces: 4096 (its default), or 65536. */
export type NginxKind = 'nginx-rtmp' | 'nginx-rtmp-65536';

export type ServerKind =
  OurKind | BaselineKind | NginxKind | 'node-media-server' | 'node-floor' | 'node-floor-publish';

/**
 * The Node flag of the `nestjs-rtmp-small-young` variant: V8's semi-spaces kept at the 1 MB
 * they start at, instead of growing to 16. V8 frees a socket read's memory only when a
 * collection finds its Buffer dead. Its early young-generation collection for Buffer memory
 * waits for 32 MB of it, the flag aside; a smaller young generation fills with ordinary
 * objects sooner, so collections come sooner and return that memory, at the price of more of
 * them (see README, "Memory").
 */
export const SMALL_YOUNG_GENERATION_FLAG = '--max-semi-space-size=1';

/**
 * The `nestjs-rtmp-merged` variant's `playerWriteMergeMs`: long enough to merge a few of a
 * 30 fps stream's messages per write, short against a player's buffer.
 */
export const MERGED_WRITE_MS = 50;

/** Every server the bench compares, ours first. */
export const SERVER_KINDS: readonly ServerKind[] = [
  'nestjs-rtmp',
  'nginx-rtmp',
  'node-media-server',
];

export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  'nestjs-rtmp': 'nestjs-rtmp',
  'nestjs-rtmp-no-gop': 'nestjs-rtmp with `gopCache: false`',
  'nestjs-rtmp-small-young': `nestjs-rtmp run with \`${SMALL_YOUNG_GENERATION_FLAG}\``,
  'nestjs-rtmp-nest': 'nestjs-rtmp through Nest',
  'nestjs-rtmp-nest-small-young': `nestjs-rtmp through Nest, \`${SMALL_YOUNG_GENERATION_FLAG}\``,
  'nestjs-rtmp-defaults': 'nestjs-rtmp (default limits)',
  'nestjs-rtmp-nagle': 'nestjs-rtmp with `playersNoDelay: false`',
  'nestjs-rtmp-merged': `nestjs-rtmp with \`playerWriteMergeMs: ${MERGED_WRITE_MS}\``,
  'nestjs-rtmp-baseline': 'nestjs-rtmp at the baseline',
  'nestjs-rtmp-no-gop-baseline': 'nestjs-rtmp at the baseline with `gopCache: false`',
  'nestjs-rtmp-nest-baseline': 'nestjs-rtmp at the baseline through Nest',
  'nestjs-rtmp-defaults-baseline': 'nestjs-rtmp at the baseline (default limits)',
  'nginx-rtmp': 'nginx-rtmp',
  'nginx-rtmp-65536': 'nginx-rtmp, chunk size 65536',
  'node-media-server': 'node-media-server',
  'node-floor': 'Node floor',
  'node-floor-publish': 'Node floor',
};

export const BASELINE_TWINS: Readonly<Record<TwinnedKind, BaselineKind>> = {
  'nestjs-rtmp': 'nestjs-rtmp-baseline',
  'nestjs-rtmp-no-gop': 'nestjs-rtmp-no-gop-baseline',
  'nestjs-rtmp-nest': 'nestjs-rtmp-nest-baseline',
  'nestjs-rtmp-defaults': 'nestjs-rtmp-defaults-baseline',
};

/**
 * The baseline twin of `kind`, if it has one and the baseline's build (../baseline.ts) has its
 * server: a commit from before a kind's server was written has none.
 */
export function baselineTwin(kind: ServerKind, baselineBuild: string): BaselineKind | undefined {
  const twin = BASELINE_TWINS[kind as TwinnedKind];
  if (twin === undefined) return undefined;
  return existsSync(compiledServer(OURS[kind as TwinnedKind].script, baselineBuild))
    ? twin
    : undefined;
}

export function isBaseline(kind: ServerKind): kind is BaselineKind {
  return kind.endsWith('-baseline');
}

/** Whether the server is ours: this library's, in any variant, now or at the baseline. */
export function isOurs(kind: ServerKind): boolean {
  return kind.startsWith('nestjs-rtmp');
}

export function isNginx(kind: ServerKind): kind is NginxKind {
  return kind === 'nginx-rtmp' || kind === 'nginx-rtmp-65536';
}

/** Whether the server counts what each stream received (nginx-rtmp and the floors do not). */
export function countsStreams(kind: ServerKind): boolean {
  return !isNginx(kind) && kind !== 'node-floor' && kind !== 'node-floor-publish';
}

/** The version of node-media-server the bench installs (issue 6). */
export const NMS_VERSION = '4.4.3';

const ROOT = join(__dirname, '..', '..');
export const WORK_DIR = join(ROOT, '.bench-work');
const NMS_DIR = join(WORK_DIR, 'nms');
/** Where `compileServers` puts the JavaScript of bench/servers and what it imports. */
const BUILD_DIR = join(WORK_DIR, 'build');
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** How a Node server of the bench runs: its script in bench/servers, arguments, Node flags. */
interface NodeRecipe {
  readonly script: string;
  readonly args?: readonly string[];
  readonly nodeFlags?: readonly string[];
}

const OURS: Readonly<Record<OurKind, NodeRecipe>> = {
  'nestjs-rtmp': { script: 'nestjs-rtmp-server' },
  'nestjs-rtmp-no-gop': {
    script: 'nestjs-rtmp-server',
    args: [JSON.stringify({ gopCache: false })],
  },
  'nestjs-rtmp-small-young': {
    script: 'nestjs-rtmp-server',
    nodeFlags: [SMALL_YOUNG_GENERATION_FLAG],
  },
  'nestjs-rtmp-nest': { script: 'nest-app-server' },
  'nestjs-rtmp-nest-small-young': {
    script: 'nest-app-server',
    nodeFlags: [SMALL_YOUNG_GENERATION_FLAG],
  },
  'nestjs-rtmp-defaults': { script: 'nestjs-rtmp-defaults-server' },
  'nestjs-rtmp-nagle': {
    script: 'nestjs-rtmp-server',
    args: [JSON.stringify({ playersNoDelay: false })],
  },
  'nestjs-rtmp-merged': {
    script: 'nestjs-rtmp-server',
    args: [JSON.stringify({ playerWriteMergeMs: MERGED_WRITE_MS })],
  },
};

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

export interface StartOptions {
  /** Ours only: run with `--cpu-prof`, the profile written there when the server stops. */
  readonly profileDir?: string;
  /** Where the baseline's bench servers were compiled (see ../baseline.ts). */
  readonly baselineBuild?: string;
}

/** Starts a server of `kind`, fresh. */
export async function startServer(
  kind: ServerKind,
  options: StartOptions = {},
): Promise<BenchServer> {
  switch (kind) {
    case 'nginx-rtmp':
    case 'nginx-rtmp-65536':
      return NginxServer.start(kind, WORK_DIR);
    case 'node-media-server': {
      const port = await freeLoopbackPort();
      const dataDir = join(WORK_DIR, 'nms-data', `${process.pid}-${port}`);
      mkdirSync(dataDir, { recursive: true });
      return NodeServer.start(kind, {
        script: 'node-media-server',
        args: [NMS_DIR, String(port), dataDir],
      });
    }
    case 'node-floor':
      return NodeServer.start(kind, { script: 'node-floor-server' });
    case 'node-floor-publish':
      return NodeServer.start(kind, { script: 'node-floor-publish-server' });
  }
  if (!isBaseline(kind)) return NodeServer.start(kind, OURS[kind], BUILD_DIR, options.profileDir);
  if (options.baselineBuild === undefined) throw new Error(`${kind}: no baseline was built`);
  const twin = kind.replace(/-baseline$/, '') as TwinnedKind;
  return NodeServer.start(kind, OURS[twin], options.baselineBuild);
}

/** The compiled entry point of bench/servers/<name>.ts, of this checkout or another build. */
function compiledServer(name: string, build = BUILD_DIR): string {
  return join(build, 'bench', 'servers', `${name}.js`);
}

/** The compiled entry point of bench/support/<name>.ts (the load generators that run apart). */
export function compiledSupport(name: string): string {
  return join(BUILD_DIR, 'bench', 'support', `${name}.js`);
}

/** How long a load generator may take to say it is ready. */
const LOAD_GENERATOR_START_TIMEOUT_MS = 30_000;

/** Starts load generator bench/support/<name>.ts in a child process; resolves once it is ready. */
export async function startLoadGenerator<Request extends { readonly type: string }>(
  what: string,
  name: string,
): Promise<ForkedChild<Request, unknown>> {
  const child = new ForkedChild<Request, unknown>(what, compiledSupport(name), {
    startTimeoutMs: LOAD_GENERATOR_START_TIMEOUT_MS,
  });
  await child.ready;
  return child;
}

/**
 * Compiles bench/servers, the fan-out scenario's player swarm and the hostile-traffic scenario's
 * probe client (and the library code they import) to JavaScript with tsc, so that they run as
 * they would in production: under ts-node, the TypeScript compiler alone would add about 100 MB
 * to a process's RSS. `root`: another checkout (the baseline's), with its own tsconfig.
 */
export function compileServers(root = ROOT): void {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'bench', 'tsconfig.servers.json')],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
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
  const install = ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', NMS_DIR];
  execFileSync('npm', [...install, `node-media-server@${NMS_VERSION}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return NMS_VERSION;
}

/** The Nest application of the consumer-latency scenario (../servers/latency-app.ts). */
export function startLatencyApp(baselineBuild?: string): Promise<NodeServer> {
  const kind = baselineBuild === undefined ? 'nestjs-rtmp' : 'nestjs-rtmp-baseline';
  return NodeServer.start(kind, { script: 'latency-app' }, baselineBuild);
}

/** Ours, node-media-server or a Node floor: a Node child that speaks ../servers/ipc.ts. */
export class NodeServer implements BenchServer {
  private constructor(
    readonly kind: ServerKind,
    private readonly child: ForkedChild<ParentRequest, ServerReady>,
    readonly port: number,
    readonly version: string,
  ) {}

  static async start(
    kind: ServerKind,
    recipe: NodeRecipe,
    build = BUILD_DIR,
    profileDir?: string,
  ): Promise<NodeServer> {
    const execArgv = ['--expose-gc', ...(recipe.nodeFlags ?? [])];
    if (profileDir !== undefined) {
      execArgv.push('--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}`);
    }
    const child = new ForkedChild<ParentRequest, ServerReady>(
      kind,
      compiledServer(recipe.script, build),
      {
        role: 'server',
        args: recipe.args,
        execArgv,
        cwd: ROOT,
        keepLog: true,
        startTimeoutMs: START_TIMEOUT_MS,
      },
    );
    const ready = await child.ready;
    return new NodeServer(kind, child, ready.port, ready.version);
  }

  get pid(): number {
    return this.child.pid;
  }

  url(name: string): string {
    return `rtmp://127.0.0.1:${this.port}/live/${name}`;
  }

  counters(): Promise<ServerCounters> {
    return this.child.ask({ type: 'counters' }, 'counters', REQUEST_TIMEOUT_MS);
  }

  gcThenCounters(): Promise<ServerCounters> {
    return this.child.ask({ type: 'gc' }, 'counters', REQUEST_TIMEOUT_MS);
  }

  async forgetStreams(): Promise<void> {
    await this.child.request({ type: 'forget-streams' }, REQUEST_TIMEOUT_MS);
  }

  /** The latency app only. */
  latency(): Promise<LatencyReport> {
    return this.child.ask({ type: 'latency' }, 'latency', REQUEST_TIMEOUT_MS);
  }

  stop(): Promise<void> {
    return this.child.stop({ type: 'stop' });
  }

  logTail(): string {
    return this.child.logTail();
  }
}
