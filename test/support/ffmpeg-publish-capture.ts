import { ChildProcess, execFile, spawn } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { CaptureListenerOptions, startCaptureListener } from './capture-listener';
import { generateTestMedia, TestMediaSpec } from './test-media';

/**
 * The clip FFmpeg publishes for the chunk-stream captures: tiny, so the recorded sessions stay
 * around 35 KB. At 5 fps and 16 kb/s both key frames are over 4096 bytes, so even at chunk
 * size 4096 the extended-timestamp key frame spans two chunks.
 */
export const PUBLISH_CLIP: TestMediaSpec = {
  width: 160,
  height: 120,
  frameRate: 5,
  seconds: 1.5,
  gop: 5,
  videoBitrate: '16k',
};

/** `-output_ts_offset`, in ms: audio starts 415 ms below 0xFFFFFF (16,777,215) and crosses it. */
export const PUBLISH_TIMESTAMP_OFFSET_MS = 16_776_800;

/**
 * Extra delay for video, in ms (`-itsoffset` on a second input of the same clip).
 *
 * FFmpeg writes an extended timestamp only when a header's timestamp field reaches 0xFFFFFF:
 * the absolute time in fmt 0, the delta in fmt 1 and 2. Its headers after the first are deltas
 * of a few ms, so a stream crossing 0xFFFFFF never needs one. The one large delta FFmpeg sends
 * is from a sequence header (time 0, written with the FLV header) to the first frame on the
 * same chunk stream. Delaying video puts its first frame above 0xFFFFFF, so that delta needs
 * the extended field, while audio crosses 0xFFFFFF with small deltas.
 */
export const PUBLISH_VIDEO_DELAY_MS = 500;

/** Repository root, from test/support. */
const ROOT = join(__dirname, '..', '..');

/** Where the clip is generated and cached (tmp/ is git-ignored). */
export function publishClipPath(): string {
  const { width, height, frameRate, seconds, gop, videoBitrate } = PUBLISH_CLIP;
  const name = `publish-${width}x${height}-${frameRate}fps-${seconds}s-g${gop}-${videoBitrate}.flv`;
  return join(ROOT, 'tmp', 'ffmpeg-publish', name);
}

/** Generates the clip once (see `generateTestMedia`) and returns its path. */
export function generatePublishClip(): Promise<string> {
  return generateTestMedia(publishClipPath(), PUBLISH_CLIP);
}

/**
 * FFmpeg's arguments to publish `clip` to `url` as fast as it can read it (no `-re`): audio from
 * the first input, video from the second with the delay, both copied, then the offset.
 */
export function ffmpegPublishArgs(clip: string, url: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    clip,
    '-itsoffset',
    String(PUBLISH_VIDEO_DELAY_MS / 1000),
    '-i',
    clip,
    '-map',
    '0:a',
    '-map',
    '1:v',
    '-c',
    'copy',
    '-output_ts_offset',
    String(PUBLISH_TIMESTAMP_OFFSET_MS / 1000),
    // RTMP is not seekable: don't try to patch duration and size into the header at the end.
    '-flvflags',
    'no_duration_filesize',
    '-f',
    'flv',
    url,
  ];
}

/** A running FFmpeg publish into a capture listener. */
export interface PublishCapture {
  /** The FFmpeg process, so a test that gives up can kill it. */
  readonly ffmpeg: ChildProcess;
  /** The exact arguments FFmpeg was started with. */
  readonly args: readonly string[];
  /**
   * Every byte FFmpeg sent after the handshake, once it has exited with status 0 and closed the
   * connection. Rejects if FFmpeg is missing, fails, or breaks the protocol.
   */
  readonly bytes: Promise<Buffer>;
}

/** Starts a capture listener and FFmpeg publishing `clip` to it. */
export async function startPublishCapture(
  clip: string,
  options: CaptureListenerOptions = {},
): Promise<PublishCapture> {
  const listener = await startCaptureListener(options);
  const args = ffmpegPublishArgs(clip, `rtmp://127.0.0.1:${listener.port}/live/capture`);
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve, reject) => {
    // 'error' alone covers a missing ffmpeg (ENOENT): then 'close' may never come.
    ffmpeg.once('error', reject);
    ffmpeg.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg ended with ${signal ?? `status ${code}`}: ${stderr.trim()}`));
    });
  });
  const bytes = (async () => {
    try {
      await exited;
      // FFmpeg is gone, so its socket is closed: the capture settles without any waiting.
      return await listener.captured;
    } finally {
      await listener.stop();
    }
  })();
  return { ffmpeg, args, bytes };
}

/** The version `ffmpeg -version` reports, e.g. "5.1.9-0+deb12u1" (Debian 12). */
export async function ffmpegVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)('ffmpeg', ['-version']);
  return /^ffmpeg version (\S+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0];
}
