import { readFileSync } from 'fs';
import { parseMediaTag, readFlvFile } from '../../libs/rtmp/src/protocol/flv';
import { MediaPacket } from '../../libs/rtmp/src/media/media-packet';
import { runProcess } from './child-processes';

/** One audio or video frame (sequence headers and metadata apart), comparable byte for byte. */
export interface MediaFrame {
  readonly type: 'audio' | 'video';
  readonly timestamp: number;
  readonly keyFrame: boolean;
  /** An AVC end of sequence (FFmpeg sends one last): a video message, but no picture. */
  readonly sequenceEnd: boolean;
  readonly body: Buffer;
}

/** The frames of an FLV file, in file order. */
export function flvFrames(path: string): MediaFrame[] {
  const frames: MediaFrame[] = [];
  for (const tag of readFlvFile(readFileSync(path)).tags) {
    const parsed = parseMediaTag(tag.type, tag.body);
    if (parsed === undefined || parsed.isSequenceHeader) continue;
    frames.push({
      type: parsed.kind,
      timestamp: tag.timestamp,
      keyFrame: parsed.kind === 'video' && parsed.isKeyFrame,
      sequenceEnd: parsed.kind === 'video' && parsed.isSequenceEnd,
      body: tag.body,
    });
  }
  return frames;
}

/** A live stream's packet as a frame (payload copied), or undefined for metadata and headers. */
export function packetFrame(packet: MediaPacket): MediaFrame | undefined {
  if (packet.type === 'metadata' || packet.tag.isSequenceHeader) return undefined;
  return {
    type: packet.type,
    timestamp: packet.timestamp,
    keyFrame: packet.type === 'video' && packet.tag.isKeyFrame,
    sequenceEnd: packet.type === 'video' && packet.tag.isSequenceEnd,
    body: Buffer.from(packet.payload),
  };
}

/** How a received sequence of frames lines up with the sequence that was sent. */
export interface FrameAlignment {
  /** Whether the first received frame is a video keyframe (nothing came before it). */
  readonly startsOnKeyFrame: boolean;
  /** Whether the first received video frame is a keyframe (audio may come before it). */
  readonly firstVideoIsKeyFrame: boolean;
  /** Index in `sent` of the first received frame (found by its bytes), -1 if not found. */
  readonly start: number;
  /** Frames received. */
  readonly received: number;
  /** Frames sent from `start` on. */
  readonly expected: number;
  /** The first received frame that differs from the one sent at the same place, if any. */
  readonly firstMismatch: string | undefined;
}

/**
 * Lines `received` up against `sent`: finds where the first received frame was sent, then
 * checks that every received frame is the one sent at the same place from there (type, bytes,
 * and timestamp relative to that first frame, so a receiver that rebases timestamps, as nginx's
 * recorder does, still compares equal). Extra sent frames after the last received one are left
 * to the caller (`received` against `expected`).
 */
export function alignFrames(
  sent: readonly MediaFrame[],
  received: readonly MediaFrame[],
): FrameAlignment {
  const first = received[0];
  const start = first === undefined ? -1 : sent.findIndex((frame) => sameFrame(frame, first));
  let firstMismatch: string | undefined;
  if (start < 0) {
    firstMismatch = 'the first received frame was never sent';
  } else {
    for (let i = 0; i < received.length && firstMismatch === undefined; i += 1) {
      const want = sent[start + i];
      const got = received[i];
      if (want === undefined) {
        firstMismatch = `received frame ${i} is past the end of what was sent`;
      } else if (!sameFrame(want, got)) {
        firstMismatch = `frame ${i}: sent ${describe(want)}, received ${describe(got)}`;
      } else if (
        (want.timestamp - sent[start].timestamp) >>> 0 !==
        (got.timestamp - first.timestamp) >>> 0
      ) {
        firstMismatch = `frame ${i}: timestamp ${got.timestamp} is not ${want.timestamp} rebased`;
      }
    }
  }
  return {
    startsOnKeyFrame: first?.type === 'video' && first.keyFrame,
    firstVideoIsKeyFrame: received.find((frame) => frame.type === 'video')?.keyFrame === true,
    start,
    received: received.length,
    expected: start < 0 ? 0 : sent.length - start,
    firstMismatch,
  };
}

function sameFrame(a: MediaFrame, b: MediaFrame): boolean {
  return a.type === b.type && a.body.equals(b.body);
}

function describe(frame: MediaFrame): string {
  return `${frame.type}@${frame.timestamp} (${frame.body.length} bytes)`;
}

/**
 * What a decoder counts in these frames (ffprobe's `nb_read_frames`): video pictures (sequence
 * ends apart) and audio frames; and the sequence ends.
 */
export function countFrames(frames: readonly MediaFrame[]): {
  video: number;
  audio: number;
  sequenceEnds: number;
} {
  const audio = frames.filter((frame) => frame.type === 'audio').length;
  const sequenceEnds = frames.filter((frame) => frame.sequenceEnd).length;
  return { video: frames.length - audio - sequenceEnds, audio, sequenceEnds };
}

/**
 * What ffprobe says while decoding every frame of a file at `-v error` (nothing for a clean
 * file): a recording that starts without its sequence headers or off a keyframe shows here.
 */
export async function decodeErrors(path: string): Promise<string> {
  const result = await runProcess('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'json',
    path,
  ]);
  if (result.code !== 0) return result.stderr.trim() || `ffprobe exited with ${result.code}`;
  return result.stderr.trim();
}

/** ffprobe's flags of the first video packet of a file (`K_` for a keyframe). */
export async function firstVideoPacketFlags(path: string): Promise<string> {
  const result = await runProcess('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v',
    '-show_entries',
    'packet=flags',
    '-read_intervals',
    '%+#1',
    '-of',
    'csv=p=0',
    path,
  ]);
  if (result.code !== 0) throw new Error(`ffprobe failed on ${path}: ${result.stderr}`);
  return result.stdout.trim().split('\n')[0] ?? '';
}
