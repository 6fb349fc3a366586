import { ChildProcess } from 'child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ProcessResult, runProcess } from '../../test/support/child-processes';
import { summarizeFlvFile } from '../../test/support/media-summary';
import { generateTestMedia, TestMediaSpec } from '../../test/support/test-media';
import type { StreamCount } from '../servers/ipc';
import { onCore } from './cores';
import { WORK_DIR } from './servers';

/** A 720p30 clip: H.264 with a keyframe every 2 s, and AAC at 44.1 kHz. */
export function clip720p30(seconds: number, videoBitrate: string): TestMediaSpec {
  return { width: 1280, height: 720, frameRate: 30, seconds, gop: 60, videoBitrate };
}

/**
 * The 20 Mbit/s flood clip, 85 s, about 200 MB: few, large messages, which hide per-message
 * costs (issue 21), so one row of the flood, not its headline. Also what the replay replays.
 * x264's ultrafast preset makes it in seconds on two cores; testsrc2 moves enough to keep the
 * bitrate up.
 */
export const FLOOD_MEDIA = clip720p30(85, '20M');

/** What a live encoder sends: 2.5 Mbit/s, 20 s (a run of the publisher scenario). */
export const LIVE_MEDIA = clip720p30(20, '2500k');

/** A 1080p60 encoder: 6 Mbit/s, a keyframe every 2 s, AAC at 48 kHz, 20 s. */
export const MEDIA_1080P60: TestMediaSpec = {
  width: 1920,
  height: 1080,
  frameRate: 60,
  seconds: 20,
  gop: 120,
  videoBitrate: '6M',
  audioSampleRate: 48_000,
};

export function mediaName(spec: TestMediaSpec): string {
  const { width, height, frameRate, seconds, gop, videoBitrate, audioSampleRate } = spec;
  const audio = audioSampleRate === undefined ? '' : `-${audioSampleRate / 1000}kHz`;
  return `${width}x${height}-${frameRate}fps-${seconds}s-g${gop}-${videoBitrate}${audio}.flv`;
}

/** A generated clip and the packets a server must deliver when FFmpeg publishes it. */
export interface BenchClip {
  readonly path: string;
  readonly spec: TestMediaSpec;
  readonly fileBytes: number;
  /**
   * How many times over FFmpeg publishes the file in one run (`-stream_loop`); 1 where absent
   * (results saved before floods looped).
   */
  readonly plays?: number;
  /** Audio and video messages of one run, sequence headers included, and data messages. */
  readonly audio: number;
  readonly video: number;
  readonly metadata: number;
}

/** Whether a server's count of a stream (none: not counted) has every packet of the clip. */
export function streamIntact(clip: BenchClip, stream: StreamCount | undefined): boolean {
  return (
    stream !== undefined &&
    stream.audio === clip.audio &&
    stream.video === clip.video &&
    stream.metadata === clip.metadata
  );
}

/**
 * Generates the clip of `spec` (once). With `bytes`, a run publishes it as many times over as
 * comes nearest to sending that much.
 */
export async function prepareClip(spec: TestMediaSpec, bytes = 0): Promise<BenchClip> {
  const path = await generateTestMedia(join(WORK_DIR, 'media', mediaName(spec)), spec);
  const fileBytes = statSync(path).size;
  const plays = Math.max(1, Math.round(bytes / fileBytes));
  return { path, spec, fileBytes, plays, ...(await packetsOfRun(path, plays)) };
}

type PacketCounts = Pick<BenchClip, 'audio' | 'video' | 'metadata'>;

/**
 * The packets FFmpeg sends when it publishes `path` `plays` times over: what its FLV muxer
 * writes for the same input, counted once and cached beside the clip. Not a multiple of one
 * play's: the sequence headers and metadata come once, and FFmpeg's loop drops a video frame
 * where the clip starts over.
 */
async function packetsOfRun(path: string, plays: number): Promise<PacketCounts> {
  const cached = `${path}.x${plays}.json`;
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as PacketCounts;
  let file = path;
  if (plays > 1) {
    file = `${path}.x${plays}.partial.flv`;
    const args = ['-hide_banner', '-loglevel', 'error', '-y', ...loopArgs(plays)];
    const run = await runProcess('ffmpeg', [...args, '-i', path, '-c', 'copy', '-f', 'flv', file]);
    if (run.code !== 0) throw new Error(`ffmpeg could not loop ${path}: ${run.stderr}`);
  }
  try {
    const summary = summarizeFlvFile(file);
    const counts: PacketCounts = {
      audio: summary.audioFrames + summary.audioSequenceHeaders,
      video: summary.videoFrames + summary.videoSequenceHeaders,
      metadata: summary.metadataPackets,
    };
    writeFileSync(cached, JSON.stringify(counts));
    return counts;
  } finally {
    if (file !== path) rmSync(file, { force: true });
  }
}

const loopArgs = (plays: number): string[] =>
  plays > 1 ? ['-stream_loop', String(plays - 1)] : [];

/** Past this FFmpeg is killed, unless told otherwise: room enough for a clip at its own rate. */
const PUBLISH_TIMEOUT_MS = 120_000;

export interface PublishOptions {
  /** `-re`: at the clip's own rate, as a live encoder sends. */
  readonly realtime: boolean;
  /** `-stream_loop -1`: the clip over and over until killed. */
  readonly loop?: boolean;
  /** The clip this many times over (`-stream_loop`); once by default. */
  readonly plays?: number;
  /** Past this, FFmpeg is killed (its run fails). */
  readonly timeoutMs?: number;
}

/** FFmpeg publishing `input` to `url` with stream copy, as an encoder would, on the load core. */
export function publish(
  input: string,
  url: string,
  options: PublishOptions,
): Promise<ProcessResult> & { child: ChildProcess } {
  const timeoutMs = options.timeoutMs ?? PUBLISH_TIMEOUT_MS;
  const { command, args } = onCore('load', 'ffmpeg', ffmpegPublishArgs(input, url, options));
  return runProcess(command, args, timeoutMs);
}

function ffmpegPublishArgs(input: string, url: string, options: PublishOptions): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...(options.realtime ? ['-re'] : []),
    ...(options.loop === true ? ['-stream_loop', '-1'] : loopArgs(options.plays ?? 1)),
    '-i',
    input,
    '-c',
    'copy',
    // RTMP is not seekable: don't try to patch duration and size into the header at the end.
    '-flvflags',
    'no_duration_filesize',
    '-f',
    'flv',
    url,
  ];
}
