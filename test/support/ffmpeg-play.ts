import { ChildProcess } from 'child_process';
import { ProcessResult, runProcess } from './child-processes';

export interface PlayOptions {
  /** Keep the stream's own timestamps in the output (`-copyts`) instead of starting at 0. */
  readonly copyTimestamps?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Plays an RTMP URL with FFmpeg as a viewer would pull it, stream copy into an FLV file:
 * `ffmpeg -i rtmp://… -c copy out.flv`. FFmpeg exits when the server says the stream is over
 * (Play.Stop or Play.UnpublishNotify). The promise carries the `child`.
 */
export function playWithFfmpeg(
  url: string,
  output: string,
  options: PlayOptions = {},
): Promise<ProcessResult> & { child: ChildProcess } {
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostdin', '-y', '-i', url, '-c', 'copy'];
  if (options.copyTimestamps) args.push('-copyts');
  args.push('-f', 'flv', output);
  return runProcess('ffmpeg', args, options.timeoutMs ?? 30_000);
}

/** One packet of a media file as ffprobe lists it (in file order). */
export interface ProbedPacket {
  /** Presentation time in milliseconds. */
  readonly ptsMs: number;
  readonly keyFrame: boolean;
}

/** The packets of a file's first video (`v`) or audio (`a`) stream, without decoding them. */
export async function probePackets(path: string, stream: 'v' | 'a'): Promise<ProbedPacket[]> {
  const result = await runProcess('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    `${stream}:0`,
    '-show_entries',
    'packet=pts_time,flags',
    '-of',
    'json',
    path,
  ]);
  if (result.code !== 0) throw new Error(`ffprobe failed on ${path}: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { packets: { pts_time: string; flags: string }[] };
  return parsed.packets.map((packet) => ({
    ptsMs: Math.round(Number(packet.pts_time) * 1000),
    keyFrame: packet.flags.includes('K'),
  }));
}
