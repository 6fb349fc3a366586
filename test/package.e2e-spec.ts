import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative, resolve } from 'path';
import { maskStreamKey } from '../src';
import { killAllProcesses } from './support/child-processes';
import { publishWithFfmpeg } from './support/ffmpeg';
import { playWithFfmpeg } from './support/ffmpeg-play';
import { summarizeFlvFile } from './support/media-summary';
import {
  killStartedProcesses,
  runIn,
  StartedProcess,
  startProcess,
} from './support/started-process';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/*
 * The library as users get it: `npm run build:package` packs it, a fresh Nest 11 project
 * outside the repository installs the tarball from the registry's peers, compiles the README's
 * Quick start with its own tsc (so the published declarations are what gets checked) and runs
 * it against FFmpeg.
 */

const ROOT = resolve(__dirname, '..');
const STREAM_KEY = 'quick-start-key-123';

/** This environment minus npm's own variables, so a child npm never acts on the repository. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_')) env[name] = value;
  }
  return { ...env, ...extra };
}

/** The ```ts block of the README's section `heading` (a `## ` heading). */
function readmeExample(heading: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith(heading));
  const code = section?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (code === undefined) throw new Error(`README.md has no \`\`\`ts block under "## ${heading}"`);
  return code;
}

/**
 * An example sent SIGTERM: enableShutdownHooks closes it gracefully, then re-raises the signal;
 * nothing may have gone to stderr.
 */
async function expectGracefulExit(app: StartedProcess): Promise<void> {
  const exit = await app.exited;
  expect(exit.signal ?? exit.code).toBe('SIGTERM');
  expect(exit.stderr).toBe('');
}

function outputOf(result: { stdout: string; stderr: string }): string {
  return `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

describe('the npm package', () => {
  const appDir = mkdtempSync(join(tmpdir(), 'nestjs-rtmp-app-'));
  const clipPath = join(appDir, 'clip.flv');
  let tarball: string;
  let manifest: Record<string, unknown>;

  beforeAll(async () => {
    const build = await runIn(ROOT, 'npm', ['run', '--silent', 'build:package'], {
      env: cleanEnv(),
      timeoutMs: 120_000,
    });
    if (build.code !== 0) throw new Error(`build:package failed\n${outputOf(build)}`);
    tarball = build.stdout.trim().split('\n').at(-1) ?? '';
    manifest = JSON.parse(readFileSync(join(ROOT, 'dist/package/package.json'), 'utf8'));
    await generateTestMedia(clipPath, SMALL_TEST_MEDIA);
  }, 120_000);

  afterAll(() => {
    killAllProcesses();
    killStartedProcesses();
    rmSync(appDir, { recursive: true, force: true });
  });

  it('has peer dependencies only, and its public entry is the compiled src/index', () => {
    expect(manifest).toMatchObject({
      name: 'nestjs-rtmp',
      version: '0.1.0',
      main: 'src/index.js',
      types: 'src/index.d.ts',
    });
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies as object).sort()).toEqual([
      '@nestjs/common',
      '@nestjs/core',
      'reflect-metadata',
      'rxjs',
    ]);
  });

  it('packs compiled JS, declarations, the README, the licence and the manifest; no sources, specs, testing helpers or demo', () => {
    expect(tarball).toMatch(/\/dist\/nestjs-rtmp-0\.1\.0\.tgz$/);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((entry) => entry.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'src/index.js',
        'src/index.d.ts',
        'libs/rtmp/src/index.js',
        'libs/rtmp/src/nest/rtmp.module.d.ts',
        'libs/rtmp/src/nest/rtmp-server.service.js',
      ]),
    );
    const unexpected = files.filter(
      (file) =>
        !['package.json', 'README.md', 'LICENSE'].includes(file) &&
        !/^(src|libs\/rtmp\/src)\/.+\.(js|d\.ts)$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((file) => /\.spec\.|\/testing\/|^apps\//.test(file))).toEqual([]);
    // Every compiled module comes with its declarations.
    const js = files.filter((file) => file.endsWith('.js'));
    for (const file of js) expect(files).toContain(file.replace(/\.js$/, '.d.ts'));
    // The README shipped is the repository's, Quick start included.
    expect(execFileSync('tar', ['-xzOf', tarball, 'package/README.md'], { encoding: 'utf8' })).toBe(
      readFileSync(join(ROOT, 'README.md'), 'utf8'),
    );
  });

  it('installs into a fresh Nest 11 project outside the repository, whose own tsc compiles the README examples', async () => {
    expect(relative(ROOT, appDir).startsWith('..')).toBe(true);
    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify(
        {
          name: 'rtmp-quick-start',
          version: '0.0.0',
          private: true,
          dependencies: {
            '@nestjs/common': '^11.0.0',
            '@nestjs/config': '^4.0.0',
            '@nestjs/core': '^11.0.0',
            'nestjs-rtmp': `file:${tarball}`,
            'reflect-metadata': '^0.2.0',
            rxjs: '^7.8.0',
          },
          devDependencies: { '@types/node': '^20.0.0', typescript: '~5.9.0' },
        },
        null,
        2,
      ),
    );
    // As a Nest 11 starter project compiles, but checking every declaration file too.
    writeFileSync(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2023',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      }),
    );
    mkdirSync(join(appDir, 'src'));
    writeFileSync(join(appDir, 'src/main.ts'), readmeExample('Quick start'));
    writeFileSync(
      join(appDir, 'src/configured.ts'),
      readmeExample('With configuration, feature modules and events'),
    );
    // The codec is its own entry, for tools built on the protocol alone.
    writeFileSync(
      join(appDir, 'src/codec.ts'),
      [
        "import { ChunkWriter, readFlvFile, RtmpErrorCode } from 'nestjs-rtmp/protocol';",
        'export const codec = { ChunkWriter, readFlvFile, truncated: RtmpErrorCode.Truncated };',
        '',
      ].join('\n'),
    );

    const install = await runIn(
      appDir,
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline'],
      { env: cleanEnv(), timeoutMs: 150_000 },
    );
    expect({ code: install.code, output: install.code === 0 ? '' : outputOf(install) }).toEqual({
      code: 0,
      output: '',
    });
    const installed = JSON.parse(
      readFileSync(join(appDir, 'node_modules/nestjs-rtmp/package.json'), 'utf8'),
    );
    expect(installed).toMatchObject({ name: 'nestjs-rtmp', version: '0.1.0' });

    const tsc = await runIn(appDir, process.execPath, ['node_modules/typescript/bin/tsc'], {
      env: cleanEnv(),
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);

    // At run time: the codec entry works; internals are not reachable by a deep path.
    const reach = await runIn(
      appDir,
      process.execPath,
      [
        '-e',
        [
          "console.log(typeof require('./dist/codec.js').codec.readFlvFile);",
          "try { require('nestjs-rtmp/libs/rtmp/src/server/rtmp-session'); console.log('reached'); }",
          'catch (error) { console.log(error.code); }',
        ].join('\n'),
      ],
      { env: cleanEnv() },
    );
    expect(reach.stdout.trim().split('\n')).toEqual(['function', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);
  }, 180_000);

  it('runs the README example: an FFmpeg publish reaches its service, which logs the frame counts', async () => {
    const source = summarizeFlvFile(clipPath);
    const app = startProcess(process.execPath, ['dist/main.js'], {
      cwd: appDir,
      env: cleanEnv({ RTMP_PORT: '0', STREAM_KEY, NO_COLOR: '1' }),
    });
    try {
      const [, port] = await app.waitForOutput(/\[Rtmp\] RTMP server listening on .*:(\d+)\s*$/m);
      const url = `rtmp://127.0.0.1:${port}/live`;

      const rejected = await publishWithFfmpeg(clipPath, `${url}/not-the-key`);
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toContain('Unknown stream key.');

      const accepted = await publishWithFfmpeg(clipPath, `${url}/${STREAM_KEY}`);
      expect(accepted.code).toBe(0);
      // The example masks the key with the library's maskStreamKey, as every log line should.
      const masked = maskStreamKey(STREAM_KEY).replace(/[*()]/g, '\\$&');
      const [, video, audio] = await app.waitForOutput(
        new RegExp(`\\[FrameCounter\\] live/${masked} ended: (\\d+) video, (\\d+) audio frames`),
      );
      expect(Number(video)).toBe(source.videoFrames);
      expect(Number(audio)).toBe(source.audioFrames);
      // Only the accepted stream ever reached the service, and the key never reached the log.
      expect(app.stdout().match(/\[FrameCounter\]/g)).toHaveLength(1);
      expect(app.stdout()).not.toContain(STREAM_KEY);
    } finally {
      app.child.kill('SIGTERM');
    }
    await expectGracefulExit(app);
  });

  it('runs the README example with @nestjs/config: string options, a feature module importing RtmpModule, playStarted$, disconnect() and streamEnded$', async () => {
    const app = startProcess(process.execPath, ['dist/configured.js'], {
      cwd: appDir,
      // Configuration is strings: the port, the limit and the switch all come as text.
      env: cleanEnv({ RTMP_PORT: '0', STREAM_KEY, MAX_STREAM_SECONDS: '1', NO_COLOR: '1' }),
    });
    try {
      const [, port] = await app.waitForOutput(/\[Rtmp\] RTMP server listening on .*:(\d+)\s*$/m);
      const url = `rtmp://127.0.0.1:${port}/live/${STREAM_KEY}`;
      const publishing = publishWithFfmpeg(clipPath, url, { realtime: true });
      const masked = maskStreamKey(STREAM_KEY).replace(/[*()]/g, '\\$&');
      // A player while it runs: the feature module hears it.
      const playing = playWithFfmpeg(url, join(appDir, 'played.flv'));
      // Listening on every interface: an IPv4 peer shows as an IPv4-mapped IPv6 address.
      await app.waitForOutput(
        new RegExp(`\\[StreamReport\\] (::ffff:)?127\\.0\\.0\\.1 plays live/${masked}`),
      );
      // MAX_STREAM_SECONDS later the feature module takes the stream down: the encoder is told.
      const published = await publishing;
      expect(published.code).not.toBe(0);
      expect(published.stderr).toContain('Time is up.');
      const [, duration, video] = await app.waitForOutput(
        new RegExp(
          `\\[StreamReport\\] live/${masked} ended \\(kicked\\) after (\\d+) ms: (\\d+) video`,
        ),
      );
      expect(Number(duration)).toBeGreaterThanOrEqual(1_000);
      expect(Number(duration)).toBeLessThan(SMALL_TEST_MEDIA.seconds * 1_000);
      expect(Number(video)).toBeGreaterThan(0);
      await playing;
      expect(app.stdout()).not.toContain(STREAM_KEY);
    } finally {
      app.child.kill('SIGTERM');
    }
    await expectGracefulExit(app);
  }, 60_000);
});
