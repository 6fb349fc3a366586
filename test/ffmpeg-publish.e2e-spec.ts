import { readFileSync } from 'fs';
import {
  ChunkReader,
  MessageType,
  parseMediaTag,
  readFlvFile,
  RtmpMessage,
} from '../libs/rtmp/src/protocol';
import type { FlvTag, MediaTag } from '../libs/rtmp/src/protocol';
import { findExtendedTimestampChunks } from '../libs/rtmp/src/protocol/chunk/testing/chunk-fixtures';
import {
  generatePublishClip,
  PUBLISH_TIMESTAMP_OFFSET_MS,
  PUBLISH_VIDEO_DELAY_MS,
  PublishCapture,
  startPublishCapture,
} from './support/ffmpeg-publish-capture';

/** The chunk sizes FFmpeg publishes with: its default, and the 4096 the listener asks for. */
const CHUNK_SIZES = [128, 4096] as const;

/** Where FFmpeg should put a source tag in time. */
function expectedTimestamp(tag: FlvTag): number {
  // Sequence headers are written with FFmpeg's FLV header, at time 0, offset or not.
  if (parseMediaTag(tag.type, tag.body)?.isSequenceHeader) return 0;
  const delay = tag.type === MessageType.Video ? PUBLISH_VIDEO_DELAY_MS : 0;
  return tag.timestamp + PUBLISH_TIMESTAMP_OFFSET_MS + delay;
}

function isKeyFrame(media: MediaTag | undefined): boolean {
  return media?.kind === 'video' && media.isKeyFrame;
}

function decode(bytes: Buffer): { messages: RtmpMessage[]; reader: ChunkReader } {
  const messages: RtmpMessage[] = [];
  const reader = new ChunkReader((message) => messages.push(message));
  reader.push(bytes);
  return { messages, reader };
}

/**
 * Real FFmpeg publishes a freshly generated clip, copying its streams, with timestamps that
 * cross 0xFFFFFF ms; the capture listener (a test tool, not the server) records the bytes and
 * the ChunkReader must give back exactly the clip's tags.
 */
describe('FFmpeg publish, decoded by ChunkReader (interop)', () => {
  const running: PublishCapture[] = [];
  let source: FlvTag[];
  const captured = new Map<number, Buffer>();

  beforeAll(async () => {
    const clip = await generatePublishClip();
    source = readFlvFile(readFileSync(clip)).tags;
    // Two listeners on their own ports, two FFmpeg processes: nothing shared, so in parallel.
    const captures = await Promise.all(
      CHUNK_SIZES.map((chunkSize) =>
        startPublishCapture(clip, chunkSize === 128 ? {} : { chunkSize }),
      ),
    );
    running.push(...captures);
    const bytes = await Promise.all(captures.map((capture) => capture.bytes));
    CHUNK_SIZES.forEach((chunkSize, index) => captured.set(chunkSize, bytes[index]));
  });

  afterAll(async () => {
    // Normally both have exited by now; this is for a run that failed or timed out half-way.
    for (const { ffmpeg } of running) {
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGKILL');
    }
    // Each capture settles once its FFmpeg is gone, and closes its listener on the way.
    await Promise.allSettled(running.map((capture) => capture.bytes));
  });

  describe.each(CHUNK_SIZES)('at chunk size %i', (chunkSize) => {
    it.each([
      ['audio', MessageType.Audio],
      ['video', MessageType.Video],
    ])('delivers every %s tag byte for byte, at the offset time', (_kind, typeId) => {
      const { messages, reader } = decode(captured.get(chunkSize) as Buffer);
      expect(reader.pendingMessageBytes).toBe(0);
      expect(reader.chunkSize).toBe(chunkSize);
      const got = messages.filter((m) => m.typeId === typeId);
      const want = source.filter((tag) => tag.type === typeId);
      expect(got).toHaveLength(want.length);
      // One row per message: a mismatch shows its index instead of a diff of whole buffers.
      const rows = got.map((message, index) => ({
        index,
        sameBytes: message.payload.equals(want[index].body),
        timestamp: message.timestamp,
        keyFrame: isKeyFrame(parseMediaTag(typeId, message.payload)),
      }));
      expect(rows).toEqual(
        want.map((tag, index) => ({
          index,
          sameBytes: true,
          timestamp: expectedTimestamp(tag),
          keyFrame: isKeyFrame(parseMediaTag(typeId, tag.body)),
        })),
      );
      // Not vacuous: the clip has a key frame every second.
      if (typeId === MessageType.Video) expect(rows.some((row) => row.keyFrame)).toBe(true);
    });

    it('crosses 0xFFFFFF ms, with an extended timestamp on the first video frame', () => {
      const wire = captured.get(chunkSize) as Buffer;
      const { messages } = decode(wire);
      const audio = messages.filter((m) => m.typeId === MessageType.Audio).slice(1);
      expect(audio.some((m) => m.timestamp < 0xffffff)).toBe(true);
      expect(audio.some((m) => m.timestamp > 0xffffff)).toBe(true);
      const frame = messages.filter((m) => m.typeId === MessageType.Video)[1];
      const layout = findExtendedTimestampChunks(wire, frame, frame.timestamp, chunkSize);
      expect(layout?.continuations).toBeGreaterThan(0);
      expect(layout?.repeated).toBe(layout?.continuations);
    });
  });
});
