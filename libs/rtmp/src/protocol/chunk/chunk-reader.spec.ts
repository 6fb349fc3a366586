import fc from 'fast-check';
import { hex } from '../amf/testing/hex';
import { RtmpError } from '../errors/rtmp-error';
import { MessageType } from '../message/message-type';
import { ChunkReader } from './chunk-reader';
import { ChunkWriter } from './chunk-writer';
import { readAll, splitAt } from './testing/chunk-feed';
import {
  describeMessage,
  loadObsPublishChunks,
  loadObsPublishTailChunks,
} from './testing/chunk-fixtures';

/*
 * The reader's own rules: headers (basic header forms, fmt 0..3, timestamps and their deltas),
 * extended timestamps, failing for good, and whole streams (OBS, ChunkWriter round trips) split
 * anywhere. SetChunkSize and Abort are in chunk-control.spec.ts, opening chunk streams in
 * chunk-stream-table.spec.ts, messages over several chunks and what they may hold in
 * message-assembler.spec.ts; FFmpeg's captures in chunk-reader.ffmpeg.spec.ts.
 */

describe('ChunkReader', () => {
  describe('headers', () => {
    it('decodes an fmt 0 message and hands the payload out as a view of the input', () => {
      // fmt 0, csid 3 | ts 1000 | length 4 | type 20 | msid 1 (little-endian) | payload
      const input = hex('03 0003e8 000004 14 01000000 deadbeef');
      const { messages } = readAll([input]);
      expect(messages).toHaveLength(1);
      const [message] = messages;
      expect(message).toMatchObject({
        chunkStreamId: 3,
        messageStreamId: 1,
        typeId: 20,
        timestamp: 1000,
      });
      expect(message.payload.toString('hex')).toBe('deadbeef');
      expect(message.payload.buffer).toBe(input.buffer);
      expect(message.payload.byteOffset).toBe(input.byteOffset + 12);
    });

    it('decodes the 2-byte basic header (csid 64..319)', () => {
      const { messages } = readAll([hex('00 ff 000000 000001 08 01000000 aa')]);
      expect(messages[0].chunkStreamId).toBe(319);
    });

    it('decodes the 3-byte basic header as little-endian (csid 320..65599)', () => {
      // id - 64 = 256 → bytes 00 01; 65599 - 64 = 65535 → ff ff
      const { messages } = readAll([
        hex('01 00 01 000000 000001 08 01000000 aa'),
        hex('01 ff ff 000000 000001 08 01000000 bb'),
      ]);
      expect(messages.map((m) => m.chunkStreamId)).toEqual([320, 65599]);
    });

    it('applies fmt 1 and fmt 2 deltas and repeats the last delta on a new fmt 3 message', () => {
      const input = hex(
        [
          '04 000064 000001 08 01000000 01', // fmt 0: ts 100, len 1, audio, msid 1
          '44 000014 000002 09 0202', // fmt 1: +20 → 120, len 2, video
          '84 00000a 0303', // fmt 2: +10 → 130, len 2, video
          'c4 0404', // fmt 3 new message: +10 again → 140
        ].join(''),
      );
      const { messages } = readAll([input]);
      expect(messages.map((m) => [m.timestamp, m.typeId, m.messageStreamId])).toEqual([
        [100, 8, 1],
        [120, 9, 1],
        [130, 9, 1],
        [140, 9, 1],
      ]);
      expect(messages.map((m) => m.payload.toString('hex'))).toEqual([
        '01',
        '0202',
        '0303',
        '0404',
      ]);
    });

    it('adds the fmt 0 timestamp when fmt 3 starts a message right after fmt 0 (SPEC §5.3.1.2.4)', () => {
      const { messages } = readAll([hex('04 000028 000001 08 01000000 01 c4 02')]);
      expect(messages.map((m) => m.timestamp)).toEqual([40, 80]);
    });

    it('computes timestamp deltas modulo 2^32', () => {
      const input = hex(
        '04 ffffff 000001 08 01000000 fffffff0 01' + // ts 0xFFFFFFF0 (extended)
          '84 000020 02', // +0x20 wraps to 0x10
      );
      const { messages } = readAll([input]);
      expect(messages.map((m) => m.timestamp)).toEqual([0xfffffff0, 0x10]);
    });

    it('delivers zero-length messages', () => {
      const { messages } = readAll([hex('03 000000 000000 14 00000000 c3')]);
      expect(messages).toHaveLength(2);
      expect(messages.every((m) => m.payload.length === 0)).toBe(true);
    });
  });

  describe('extended timestamps', () => {
    const payload = Buffer.alloc(200, 3);

    it('reads the extended timestamp repeated on fmt 3 continuation chunks (FFmpeg, SPEC)', () => {
      const input = Buffer.concat([
        hex('06 ffffff 0000c8 09 01000000 01000000'),
        payload.subarray(0, 128),
        hex('c6 01000000'),
        payload.subarray(128),
      ]);
      const { messages } = readAll([input]);
      expect(messages[0].timestamp).toBe(0x01000000);
      expect(messages[0].payload.equals(payload)).toBe(true);
    });

    it('reads fmt 3 continuation chunks that leave it out (OBS before obs-studio#10097)', () => {
      const input = Buffer.concat([
        hex('06 ffffff 0000c8 09 01000000 01000000'),
        payload.subarray(0, 128),
        hex('c6'),
        payload.subarray(128),
      ]);
      const { messages } = readAll([input]);
      expect(messages[0].payload.equals(payload)).toBe(true);
    });

    it('reads an extended delta on fmt 1', () => {
      const { messages } = readAll([
        hex('04 000010 000001 08 01000000 01 44 ffffff 000001 08 01000000 02'),
      ]);
      expect(messages[1].timestamp).toBe(0x01000010);
    });
  });

  describe('faults', () => {
    it('rejects all input after a fatal error with the same error', () => {
      const reader = new ChunkReader(() => undefined);
      let first: unknown;
      try {
        reader.push(hex('c5'));
      } catch (error) {
        first = error;
      }
      expect(() => reader.push(hex('02 000000 000000 14 00000000'))).toThrow(first as Error);
    });

    it('turns arbitrary bytes into messages or a fatal RtmpError, never another exception', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (pieces) => {
          const reader = new ChunkReader(() => undefined, {
            maxPendingMessageBytes: 1 << 20,
            maxMessageSize: 1 << 20,
          });
          try {
            for (const piece of pieces) reader.push(Buffer.from(piece));
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
            expect((error as RtmpError).fatal).toBe(true);
          }
          expect(reader.pendingMessageBytes).toBeLessThanOrEqual(1 << 20);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('real OBS Studio publish bytes', () => {
    const capture = loadObsPublishChunks();
    const expected = readAll([capture]).messages.map(describeMessage);

    it('decodes the whole session in the order OBS sent it', () => {
      const { messages, reader } = readAll([capture, loadObsPublishTailChunks()]);
      expect(reader.chunkSize).toBe(4096);
      expect(reader.pendingMessageBytes).toBe(0);
      const head = messages.slice(0, 7).map((m) => [m.chunkStreamId, m.typeId, m.messageStreamId]);
      expect(head).toEqual([
        [2, MessageType.SetChunkSize, 0],
        [3, MessageType.CommandAmf0, 0], // connect
        [3, MessageType.CommandAmf0, 0], // releaseStream
        [3, MessageType.CommandAmf0, 0], // FCPublish
        [3, MessageType.CommandAmf0, 0], // createStream
        [4, MessageType.CommandAmf0, 1], // publish
        [4, MessageType.DataAmf0, 1], // @setDataFrame onMetaData
      ]);
      expect(messages[1].payload.subarray(3, 10).toString('latin1')).toBe('connect');
      const media = messages.filter((m) => m.typeId === 8 || m.typeId === 9);
      // AAC and AVC sequence headers, a 36,821-byte keyframe (9 chunks), 2 inter frames, 2 AAC.
      expect(media.map((m) => m.payload.length)).toEqual([7, 48, 36821, 12344, 15942, 355, 299]);
      expect(media[0].payload[0]).toBe(0xaf); // AAC sequence header first
      expect(
        media
          .find((m) => m.typeId === 9)
          ?.payload.subarray(0, 2)
          .toString('hex'),
      ).toBe('1700'); // AVC sequence header
      for (const type of [8, 9]) {
        const times = media.filter((m) => m.typeId === type).map((m) => m.timestamp);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }
      const tail = messages.slice(-2).map((m) => m.payload.subarray(3, 15).toString('latin1'));
      expect(tail[0]).toContain('FCUnpublish');
      expect(tail[1]).toContain('deleteStream');
    });

    it('gives the same messages whatever byte the stream is split at (every offset)', () => {
      for (let offset = 1; offset < capture.length; offset += 1) {
        const got = readAll(splitAt(capture, [offset])).messages.map(describeMessage);
        // One comparison per offset through expect() would dominate the run time.
        if (got.join() !== expected.join()) {
          throw new Error(`split at ${offset} changed the decoded messages`);
        }
      }
    });

    it('gives the same messages for arbitrary multi-way splits', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 1, max: capture.length - 1 }), { maxLength: 40 }),
          (offsets) => {
            const pieces = splitAt(
              capture,
              offsets.sort((a, b) => a - b),
            );
            expect(readAll(pieces).messages.map(describeMessage)).toEqual(expected);
          },
        ),
        { numRuns: 100 },
      );
    });

    it('gives the same messages fed one byte at a time', () => {
      const pieces = Array.from({ length: capture.length }, (_, i) => capture.subarray(i, i + 1));
      expect(readAll(pieces).messages.map(describeMessage)).toEqual(expected);
    });
  });

  describe('round trip with ChunkWriter', () => {
    const messageArbitrary = fc.record({
      chunkStreamId: fc.oneof(
        fc.integer({ min: 2, max: 63 }),
        fc.integer({ min: 64, max: 319 }),
        fc.integer({ min: 320, max: 65599 }),
      ),
      messageStreamId: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0xffffffff })),
      typeId: fc.constantFrom(8, 9, 18, 20),
      timestamp: fc.oneof(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0xfffff0, max: 0x1000010 }),
        fc.integer({ min: 0, max: 0xffffffff }),
      ),
      payload: fc.uint8Array({ maxLength: 1200 }).map((bytes) => Buffer.from(bytes)),
    });

    it('reads back exactly what the writer wrote, at any chunk size and any split', () => {
      fc.assert(
        fc.property(
          fc.array(messageArbitrary, { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 5000 }),
          fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 30 }),
          (messages, chunkSize, cuts) => {
            const writer = new ChunkWriter();
            const parts: Buffer[] = [];
            // Announce the chunk size the way a peer does, then switch.
            const announce = Buffer.alloc(4);
            announce.writeUInt32BE(chunkSize);
            writer.write(
              { chunkStreamId: 2, messageStreamId: 0, typeId: 1, timestamp: 0, payload: announce },
              parts,
            );
            writer.setChunkSize(chunkSize);
            for (const message of messages) writer.write(message, parts);
            const wire = Buffer.concat(parts);
            const offsets: number[] = [];
            let at = 0;
            for (const cut of cuts) {
              at += cut;
              if (at < wire.length) offsets.push(at);
            }
            const { messages: read } = readAll(splitAt(wire, offsets), {
              maxChunkStreams: 64,
            });
            expect(read.slice(1).map(describeMessage)).toEqual(
              messages.map((m) => describeMessage({ ...m, timestamp: m.timestamp >>> 0 })),
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
