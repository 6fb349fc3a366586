import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { RtmpMessage } from '../../message/rtmp-message';

/** OBS Studio 29 → nginx-rtmp publish, after the handshake (see README in this folder). */
export function loadObsPublishChunks(): Buffer {
  return readFileSync(join(__dirname, 'obs-publish-chunks.bin'));
}

/** The last bytes OBS sends: FCUnpublish and deleteStream. */
export function loadObsPublishTailChunks(): Buffer {
  return readFileSync(join(__dirname, 'obs-publish-tail-chunks.bin'));
}

/** A compact, comparable description of a message (payload by digest). */
export function describeMessage(message: RtmpMessage): string {
  const digest = createHash('sha1').update(message.payload).digest('hex').slice(0, 12);
  return [
    message.chunkStreamId,
    message.messageStreamId,
    message.typeId,
    message.timestamp,
    message.payload.length,
    digest,
  ].join('/');
}

/** The chunk sizes the FFmpeg publish captures were made with (see README in this folder). */
export type FfmpegPublishChunkSize = 128 | 4096;

/** One media type of the clip FFmpeg published, as the captures should carry it. */
export interface FfmpegPublishMediaSummary {
  /** FLV tags of this type in the source clip: one RTMP message each. */
  readonly tags: number;
  /** Of those, sequence headers: FFmpeg sends them at time 0, not shifted by the offset. */
  readonly sequenceHeaders: number;
  /** First and last timestamp of the other tags, with the offset (and video delay) added. */
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
}

/** `ffmpeg-publish.json`: how the FFmpeg publish captures were made and what they hold. */
export interface FfmpegPublishInfo {
  /** As `ffmpeg -version` reports it. */
  readonly ffmpegVersion: string;
  /** The publish command, with the clip path and the listener's port left as placeholders. */
  readonly command: string;
  readonly clip: {
    /** What `generateTestMedia` (test/support/test-media.ts) was asked for. */
    readonly spec: {
      readonly width: number;
      readonly height: number;
      readonly frameRate: number;
      readonly seconds: number;
      /** Key frame interval, in frames. */
      readonly gop: number;
      readonly videoBitrate: string;
    };
    readonly audio: FfmpegPublishMediaSummary;
    readonly video: FfmpegPublishMediaSummary & { readonly keyFrames: number };
  };
  /** `-output_ts_offset`, in ms. */
  readonly timestampOffsetMs: number;
  /** Extra offset of video (`-itsoffset` on its input), in ms. */
  readonly videoDelayMs: number;
  readonly captures: readonly {
    readonly file: string;
    /** The chunk size the listener announced; 128 means it sent no SetChunkSize. */
    readonly serverChunkSize: number;
    readonly bytes: number;
  }[];
}

/** FFmpeg 5.1 publishing to the capture listener, after the handshake (see README). */
export function loadFfmpegPublishChunks(chunkSize: FfmpegPublishChunkSize): Buffer {
  return readFileSync(join(__dirname, `ffmpeg-publish-${chunkSize}.bin`));
}

export function loadFfmpegPublishInfo(): FfmpegPublishInfo {
  return JSON.parse(readFileSync(join(__dirname, 'ffmpeg-publish.json'), 'utf8'));
}

/** Where an extended-timestamp message sits on the wire; see {@link findExtendedTimestampChunks}. */
export interface ExtendedTimestampChunks {
  /** Offset of the first chunk's basic header. */
  readonly headerOffset: number;
  /** Chunks after the first (fmt 3 continuations). */
  readonly continuations: number;
  /** Continuations whose header repeats the 4-byte extended timestamp. */
  readonly repeated: number;
}

/**
 * Finds, by plain byte search and without a chunk reader, the chunks of `message` sent with an
 * fmt 1 header whose timestamp delta `delta` needs the extended field: `0xFFFFFF` in the header,
 * then the delta as 4 bytes. Walks the continuation chunks from there, checking every payload
 * piece against the message, and counts the fmt 3 headers that repeat the 4 bytes. Assumes the
 * chunks went out back to back, as FFmpeg writes them, on a chunk stream id below 64. Undefined
 * when the bytes are not laid out that way.
 */
export function findExtendedTimestampChunks(
  wire: Buffer,
  message: RtmpMessage,
  delta: number,
  chunkSize: number,
): ExtendedTimestampChunks | undefined {
  const { payload, chunkStreamId } = message;
  const header = Buffer.alloc(12);
  header[0] = (1 << 6) | chunkStreamId;
  header.writeUIntBE(0xffffff, 1, 3);
  header.writeUIntBE(payload.length, 4, 3);
  header[7] = message.typeId;
  header.writeUInt32BE(delta, 8);
  const headerOffset = wire.indexOf(header);
  if (headerOffset < 0) return undefined;
  const repeatedHeader = Buffer.alloc(5);
  repeatedHeader[0] = (3 << 6) | chunkStreamId;
  repeatedHeader.writeUInt32BE(delta, 1);

  let position = headerOffset + header.length;
  let continuations = 0;
  let repeated = 0;
  for (let sent = 0; sent < payload.length; sent += chunkSize) {
    if (sent > 0) {
      continuations += 1;
      if (wire.subarray(position, position + 5).equals(repeatedHeader)) {
        repeated += 1;
        position += 5;
      } else if (wire[position] === repeatedHeader[0]) {
        position += 1;
      } else {
        return undefined;
      }
    }
    const piece = payload.subarray(sent, sent + chunkSize);
    if (!wire.subarray(position, position + piece.length).equals(piece)) return undefined;
    position += piece.length;
  }
  return { headerOffset, continuations, repeated };
}
