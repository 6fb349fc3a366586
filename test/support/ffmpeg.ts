import { ChildProcess } from 'child_process';
import { ProcessResult, runProcess } from './child-processes';

export interface PublishOptions {
  /** Read the input at its native rate (`-re`), as a live encoder would send it. */
  readonly realtime?: boolean;
  /** Seconds added to every timestamp (`-output_ts_offset`). */
  readonly timestampOffsetSeconds?: number;
  /**
   * Delays video by this many seconds (video comes from a second input with `-itsoffset`).
   * With a timestamp offset just below 0xFFFFFF ms, this makes the delta from the video
   * sequence header (sent at 0) to the first frame large enough that FFmpeg must write an
   * extended timestamp: a stream that merely crosses 0xFFFFFF needs none (small deltas).
   */
  readonly videoDelaySeconds?: number;
  readonly timeoutMs?: number;
}

/**
 * Publishes an FLV file to an RTMP URL with FFmpeg, stream copy, as an encoder would. The
 * promise carries the `child`, for tests that kill the encoder mid-stream.
 */
export function publishWithFfmpeg(
  input: string,
  url: string,
  options: PublishOptions = {},
): Promise<ProcessResult> & { child: ChildProcess } {
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostdin'];
  if (options.realtime) args.push('-re');
  args.push('-i', input);
  if (options.videoDelaySeconds !== undefined) {
    args.push('-itsoffset', String(options.videoDelaySeconds), '-i', input);
    args.push('-map', '0:a', '-map', '1:v');
  }
  args.push('-c', 'copy');
  if (options.timestampOffsetSeconds !== undefined) {
    args.push('-output_ts_offset', String(options.timestampOffsetSeconds));
  }
  // RTMP is not seekable: don't try to patch duration and size into the header at the end.
  args.push('-flvflags', 'no_duration_filesize', '-f', 'flv', url);
  return runProcess('ffmpeg', args, options.timeoutMs ?? 60_000);
}

export interface ProbedStream {
  readonly codec: string;
  readonly frames: number;
}

export interface ProbeResult {
  readonly video?: ProbedStream & { readonly width: number; readonly height: number };
  readonly audio?: ProbedStream;
  readonly durationSeconds: number;
}

/** Decodes a media file with ffprobe and counts its frames per stream. */
export async function probeMedia(path: string): Promise<ProbeResult> {
  const result = await runProcess('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_type,codec_name,nb_read_frames,width,height:format=duration',
    '-of',
    'json',
    path,
  ]);
  if (result.code !== 0) throw new Error(`ffprobe failed on ${path}: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as {
    streams: {
      codec_type: string;
      codec_name: string;
      nb_read_frames: string;
      width?: number;
      height?: number;
    }[];
    format: { duration: string };
  };
  const find = (type: string) => parsed.streams.find((s) => s.codec_type === type);
  const video = find('video');
  const audio = find('audio');
  return {
    video: video && {
      codec: video.codec_name,
      frames: Number(video.nb_read_frames),
      width: video.width ?? 0,
      height: video.height ?? 0,
    },
    audio: audio && { codec: audio.codec_name, frames: Number(audio.nb_read_frames) },
    durationSeconds: Number(parsed.format.duration),
  };
}
