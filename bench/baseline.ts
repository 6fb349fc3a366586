import { existsSync, readFileSync, symlinkSync } from 'fs';
import { join, resolve } from 'path';
import { BaselineInfo } from './results';
import { git } from './support/machine';
import { compileServers, WORK_DIR } from './support/servers';
import { progress } from './support/util';

const ROOT = join(__dirname, '..');
const BASELINE_DIR = join(WORK_DIR, 'baseline');

/**
 * BENCH_BASELINE=<rev>: our bench servers as another commit has them, to run beside the current
 * code. The commit is checked out, detached, in a git worktree at .bench-work/baseline, with
 * this checkout's node_modules linked in, and its own bench/servers are compiled with its own
 * tsconfig.servers.json: they import the library as that commit lays it out, under the names it
 * had then. They answer the bench as that commit's bench/servers/ipc.ts says, which the bench
 * must still understand (ipc.ts says so). Returns where they were compiled.
 */
export function prepareBaseline(rev: string): { info: BaselineInfo; build: string } {
  const commit = git(['rev-parse', '--short', `${rev}^{commit}`]);
  if (commit === '?') throw new Error(`BENCH_BASELINE: no commit ${rev}`);
  progress(`baseline: ${rev} (${commit}) in ${BASELINE_DIR}`);
  if (existsSync(join(BASELINE_DIR, '.git'))) {
    gitOrThrow(['checkout', '--quiet', '--force', '--detach', commit], BASELINE_DIR);
  } else {
    gitOrThrow(['worktree', 'prune'], ROOT);
    gitOrThrow(['worktree', 'add', '--quiet', '--detach', BASELINE_DIR, commit], ROOT);
  }
  const config = join(BASELINE_DIR, 'bench', 'tsconfig.servers.json');
  if (!existsSync(config)) throw new Error(`BENCH_BASELINE: ${commit} has no ${config}`);
  const modules = join(BASELINE_DIR, 'node_modules');
  if (!existsSync(modules)) symlinkSync(resolve(ROOT, 'node_modules'), modules);
  compileServers(BASELINE_DIR);
  const outDir = (
    JSON.parse(readFileSync(config, 'utf8')) as { compilerOptions: { outDir: string } }
  ).compilerOptions.outDir;
  return { info: { rev, commit }, build: resolve(BASELINE_DIR, 'bench', outDir) };
}

function gitOrThrow(args: readonly string[], cwd: string): void {
  if (git(args, cwd) === '?') throw new Error(`BENCH_BASELINE: git ${args.join(' ')} failed`);
}
