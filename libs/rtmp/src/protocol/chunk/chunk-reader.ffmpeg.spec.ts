import fc from 'fast-check';
import { decodeCommand } from '../command/command.decoder';
import { decodeDataMessage } from '../command/data-message.parser';
import type { AudioTag } from '../flv/audio-tag.types';
import { parseMediaTag } from '../flv/media-tag.parser';
import type { VideoTag } from '../flv/video-tag.types';
import { MessageType } from '../message/message-type';
import { RtmpMessage } from '../message/rtmp-message';
import { readAll, splitAt } from './testing/chunk-feed';
import {
  describeMessage,
  FfmpegPublishChunkSize,
  findExtendedTimestampChunks,
  loadFfmpegPublishChunks,
  loadFfmpegPublishInfo,
} from './testing/chunk-fixtures';

/** The largest value of the 24-bit timestamp field; 0xFFFFFF itself means "extended". */
const TIMESTAMP_FIELD_MAX = 0xffffff;

/**
 * Whether two message lists are the same, header fields and payload bytes. Cheaper than
 * comparing `describeMessage` digests, which matters when it runs once per byte offset.
 */
function sameMessages(got: readonly RtmpMessage[], want: readonly RtmpMessage[]): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i += 1) {
    const a = got[i];
    const b = want[i];
    if (
      a.chunkStreamId !== b.chunkStreamId ||
      a.messageStreamId !== b.messageStreamId ||
      a.typeId !== b.typeId ||
      a.timestamp !== b.timestamp ||
      !a.payload.equals(b.payload)
    ) {
      return false;
    }
  }
  return true;
}

function commandName(message: RtmpMessage): string {
  return decodeCommand(message.payload, message.typeId).name;
}

/**
 * Real FFmpeg 5.1 publish sessions recorded by `npm run fixtures:capture` (testing/README.md):
 * audio starts 415 ms below 0xFFFFFF ms and crosses it with small deltas; video starts above it,
 * so its first frame's header carries the extended timestamp.
 */
describe.each([128, 4096] as const)(
  'ChunkReader on FFmpeg publish bytes, chunk size %i',
  (chunkSize: FfmpegPublishChunkSize) => {
    const info = loadFfmpegPublishInfo();
    const capture = loadFfmpegPublishChunks(chunkSize);
    const { messages, reader } = readAll([capture]);
    const audio = messages.filter((m) => m.typeId === MessageType.Audio);
    const video = messages.filter((m) => m.typeId === MessageType.Video);
    const expected = messages.map(describeMessage).join();

    it('decodes the whole session: commands, metadata, media, teardown, nothing left over', () => {
      expect(reader.pendingMessageBytes).toBe(0);
      const commands = messages.filter((m) => m.typeId === MessageType.CommandAmf0);
      expect(commands.map(commandName)).toEqual([
        'connect',
        'releaseStream',
        'FCPublish',
        'createStream',
        'publish',
        'FCUnpublish',
        'deleteStream',
      ]);
      const [connect, , , , publish] = commands;
      expect(decodeCommand(connect.payload).transactionId).toBe(1);
      expect(connect).toMatchObject({ chunkStreamId: 3, messageStreamId: 0 });
      // publish goes on the stream createStream returned (1), on FFmpeg's chunk stream 8.
      expect(publish).toMatchObject({ chunkStreamId: 8, messageStreamId: 1 });
      expect(decodeCommand(publish.payload).args).toEqual(['capture', 'live']);

      const data = messages.filter((m) => m.typeId === MessageType.DataAmf0);
      expect(data).toHaveLength(1);
      expect(decodeDataMessage(data[0].payload)).toMatchObject({
        name: 'onMetaData',
        setDataFrame: true,
      });
    });

    if (chunkSize === 128) {
      it('stays at chunk size 128 when the server sends no SetChunkSize', () => {
        expect(messages.some((m) => m.typeId === MessageType.SetChunkSize)).toBe(false);
        expect(reader.chunkSize).toBe(128);
      });
    } else {
      it("echoes the server's SetChunkSize 4096 right after connect, and sends with it", () => {
        const echo = messages.filter((m) => m.typeId === MessageType.SetChunkSize);
        expect(echo).toHaveLength(1);
        expect(echo[0].payload.readUInt32BE(0)).toBe(4096);
        expect(commandName(messages[messages.indexOf(echo[0]) - 1])).toBe('connect');
        expect(reader.chunkSize).toBe(4096);
      });
    }

    it('carries one message per audio and video tag of the source clip', () => {
      expect(audio).toHaveLength(info.clip.audio.tags);
      expect(video).toHaveLength(info.clip.video.tags);
    });

    it('carries media that parses: AAC and AVC sequence headers first, then the key frames', () => {
      const audioTags = audio.map((m) => parseMediaTag(m.typeId, m.payload) as AudioTag);
      const videoTags = video.map((m) => parseMediaTag(m.typeId, m.payload) as VideoTag);
      expect(audioTags.every((tag) => tag.kind === 'audio' && !tag.isSilence)).toBe(true);
      expect(videoTags.every((tag) => tag.kind === 'video')).toBe(true);
      expect(audioTags.map((tag) => tag.isSequenceHeader)).toEqual(
        audioTags.map((_, index) => index === 0),
      );
      expect(videoTags.map((tag) => tag.isSequenceHeader)).toEqual(
        videoTags.map((_, index) => index === 0),
      );
      expect(audioTags[0]).toMatchObject({ codec: 'aac', soundFormat: 10 });
      expect(videoTags[0]).toMatchObject({ codec: 'h264', codecId: 7 });
      expect(videoTags[1].isKeyFrame).toBe(true);
      expect(videoTags.filter((tag) => tag.isKeyFrame)).toHaveLength(info.clip.video.keyFrames);
      expect(videoTags[videoTags.length - 1].isSequenceEnd).toBe(true);
    });

    it('carries timestamps past 0xFFFFFF ms, in order per type, as the clip says', () => {
      // Sequence headers come from FFmpeg's FLV header, at time 0.
      expect([audio[0].timestamp, video[0].timestamp]).toEqual([0, 0]);
      const audioTimes = audio.slice(1).map((m) => m.timestamp);
      const videoTimes = video.slice(1).map((m) => m.timestamp);
      for (const times of [audioTimes, videoTimes]) {
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }
      expect([audioTimes[0], audioTimes[audioTimes.length - 1]]).toEqual([
        info.clip.audio.firstTimestamp,
        info.clip.audio.lastTimestamp,
      ]);
      expect([videoTimes[0], videoTimes[videoTimes.length - 1]]).toEqual([
        info.clip.video.firstTimestamp,
        info.clip.video.lastTimestamp,
      ]);
      // Audio crosses the 24-bit limit mid-stream; video starts beyond it.
      expect(audioTimes.filter((t) => t < TIMESTAMP_FIELD_MAX).length).toBeGreaterThan(10);
      expect(audioTimes.filter((t) => t > TIMESTAMP_FIELD_MAX).length).toBeGreaterThan(10);
      expect(videoTimes[0]).toBeGreaterThan(TIMESTAMP_FIELD_MAX);
    });

    it('got the first video frame with an extended timestamp, repeated on every fmt 3 chunk', () => {
      // Its header is fmt 1 with the delta from the sequence header (time 0): the frame's time.
      const frame = video[1];
      const layout = findExtendedTimestampChunks(capture, frame, frame.timestamp, chunkSize);
      expect(layout).toBeDefined();
      expect(layout?.continuations).toBe(Math.ceil(frame.payload.length / chunkSize) - 1);
      expect(layout?.continuations).toBeGreaterThan(0);
      expect(layout?.repeated).toBe(layout?.continuations);
    });

    it('gives the same messages whatever byte the stream is split at (every offset)', () => {
      for (let offset = 1; offset < capture.length; offset += 1) {
        const got = readAll([capture.subarray(0, offset), capture.subarray(offset)]).messages;
        // One expect() per offset would dominate the run time.
        if (!sameMessages(got, messages)) {
          throw new Error(`split at ${offset} changed the decoded messages`);
        }
      }
    });

    it('gives the same messages fed one byte at a time', () => {
      const pieces = Array.from({ length: capture.length }, (_, i) => capture.subarray(i, i + 1));
      expect(readAll(pieces).messages.map(describeMessage).join()).toBe(expected);
    });

    it('gives the same messages for arbitrary multi-way splits', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 1, max: capture.length - 1 }), { maxLength: 60 }),
          (offsets) => {
            const pieces = splitAt(
              capture,
              [...offsets].sort((a, b) => a - b),
            );
            expect(readAll(pieces).messages.map(describeMessage).join()).toBe(expected);
          },
        ),
        { numRuns: 100 },
      );
    });
  },
);
