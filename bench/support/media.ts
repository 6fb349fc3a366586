import { join } from 'path';
import { summarizeFlvFile } from '../../test/support/media-summary';
import { generateTestMedia, TestMediaSpec } from '../../test/support/test-media';
import { WORK_DIR } from './servers';

/**
 * The ingest flood: 720p30 H.264 at 20 Mbit/s + AAC, 85 s, about 200 MB. x264's ultrafast
 * preset makes it in seconds on two cores; testsrc2 moves enough to keep the bitrate up.
 */
export const FLOOD_MEDIA: TestMediaSpec = {
  width: 1280,
  height: 720,
  frameRate: 30,
  seconds: 85,
  gop: 60,
  videoBitrate: '20M',
};

/** What a live encoder sends: 720p30 at 2.5 Mbit/s + AAC, 20 s (a run of the publisher scenario). */
export const LIVE_MEDIA: TestMediaSpec = {
  width: 1280,
  height: 720,
  frameRate: 30,
  seconds: 20,
  gop: 60,
  videoBitrate: '2500k',
};

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

export async function prepareClip(spec: TestMediaSpec): Promise<BenchClip> {
  const path = await generateTestMedia(join(WORK_DIR, 'media', mediaName(spec)), spec);
  const summary = summarizeFlvFile(path);
  const { statSync } = await import('fs');
  return {
    path,
    spec,
    fileBytes: statSync(path).size,
    audio: summary.audioFrames + summary.audioSequenceHeaders,
    video: summary.videoFrames + summary.videoSequenceHeaders,
    metadata: summary.metadataPackets,
  };
}

/** FFmpeg publishing `input` with stream copy, as an encoder would; `realtime` adds -re. */
export function ffmpegPublishArgs(input: string, url: string, realtime: boolean): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...(realtime ? ['-re'] : []),
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
