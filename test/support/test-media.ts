import { execFile } from 'child_process';
import { existsSync, mkdirSync, renameSync } from 'fs';
import { dirname } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/** How a generated H.264 + AAC test clip looks. */
export interface TestMediaSpec {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly seconds: number;
  /** Keyframe interval, in frames. */
  readonly gop: number;
  readonly videoBitrate: string;
  /**
   * Pad the video to exactly `videoBitrate` (x264 CBR with filler data): test patterns compress
   * far below any target, and some tests need a known, heavy byte rate.
   */
  readonly constantBitrate?: boolean;
  /** The AAC track's sample rate in Hz; 44100 by default. */
  readonly audioSampleRate?: number;
}

export const SMALL_TEST_MEDIA: TestMediaSpec = {
  width: 320,
  height: 240,
  frameRate: 25,
  seconds: 4,
  gop: 25,
  videoBitrate: '400k',
};

/**
 * Generates an H.264 + AAC FLV clip with Debian's FFmpeg (test pattern + sine), once: an
 * existing file is reused. The clip is written to a temporary name and renamed, so a run that
 * is interrupted never leaves a half-written clip behind.
 */
export async function generateTestMedia(path: string, spec: TestMediaSpec): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial.flv`;
  await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.frameRate}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=${spec.audioSampleRate ?? 44100}`,
      '-t',
      String(spec.seconds),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-b:v',
      spec.videoBitrate,
      ...(spec.constantBitrate
        ? [
            '-minrate',
            spec.videoBitrate,
            '-maxrate',
            spec.videoBitrate,
            '-bufsize',
            spec.videoBitrate,
            '-x264-params',
            'nal-hrd=cbr',
          ]
        : []),
      '-g',
      String(spec.gop),
      '-keyint_min',
      String(spec.gop),
      '-sc_threshold',
      '0',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-f',
      'flv',
      partial,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  renameSync(partial, path);
  return path;
}
