import { ChildProcess } from 'child_process';
import { statSync } from 'fs';
import { join } from 'path';
import { ProcessResult, runProcess } from '../../test/support/child-processes';
import { summarizeFlvFile } from '../../test/support/media-summary';
import { generateTestMedia, TestMediaSpec } from '../../test/support/test-media';
import type { StreamCount } from '../servers/ipc';
import { WORK_DIR } from './servers';

/** Every clip of the bench: 720p30 H.264 with a keyframe every 2 s, and AAC. */
export function clip720p30(seconds: number, videoBitrate: string): TestMediaSpec {
  return { width: 1280, height: 720, frameRate: 30, seconds, gop: 60, videoBitrate };
}

/**
 * The ingest flood: 20 Mbit/s, 85 s, about 200 MB. x264's ultrafast preset makes it in seconds
 * on two cores; testsrc2 moves enough to keep the bitrate up.
 */
export const FLOOD_MEDIA = clip720p30(85, '20M');

/** What a live encoder sends: 2.5 Mbit/s, 20 s (a run of the publisher scenario). */
export const LIVE_MEDIA = clip720p30(20, '2500k');

export function mediaName(spec: TestMediaSpec): string {
  const { width, height, frameRate, seconds, gop, videoBitrate } = spec;
  return `${width}x${height}-${frameRate}fps-${seconds}s-g${gop}-${videoBitrate}.flv`;
}

/** A generated clip and the packets a server must deliver when FFmpeg publishes it. */
export interface BenchClip {
  readonly path: string;
  readonly spec: TestMediaSpec;
  readonly fileBytes: number;
  /** Audio and video messages, sequence headers included, and data messages. */
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

export async function prepareClip(spec: TestMediaSpec): Promise<BenchClip> {
  const path = await generateTestMedia(join(WORK_DIR, 'media', mediaName(spec)), spec);
  const summary = summarizeFlvFile(path);
  return {
    path,
    spec,
    fileBytes: statSync(path).size,
    audio: summary.audioFrames + summary.audioSequenceHeaders,
    video: summary.videoFrames + summary.videoSequenceHeaders,
    metadata: summary.metadataPackets,
  };
}

/** Past this FFmpeg is killed, unless told otherwise: room enough for a clip at its own rate. */
const PUBLISH_TIMEOUT_MS = 120_000;

export interface PublishOptions {
  /** `-re`: at the clip's own rate, as a live encoder sends. */
  readonly realtime: boolean;
  /** `-stream_loop -1`: the clip over and over until killed. */
  readonly loop?: boolean;
  /** Past this, FFmpeg is killed (its run fails). */
  readonly timeoutMs?: number;
}

/** FFmpeg publishing `input` to `url` with stream copy, as an encoder would. */
export function publish(
  input: string,
  url: string,
  options: PublishOptions,
): Promise<ProcessResult> & { child: ChildProcess } {
  const timeoutMs = options.timeoutMs ?? PUBLISH_TIMEOUT_MS;
  return runProcess('ffmpeg', ffmpegPublishArgs(input, url, options), timeoutMs);
}

function ffmpegPublishArgs(input: string, url: string, options: PublishOptions): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...(options.realtime ? ['-re'] : []),
    ...(options.loop === true ? ['-stream_loop', '-1'] : []),
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
