import fc from 'fast-check';
import { ChunkStreamError } from '../errors/chunk-stream.error';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { MessageType } from '../message/message-type';
import { RtmpMessage } from '../message/rtmp-message';
import { expectRtmpError } from '../message/testing/expect-rtmp-error';
import { ChunkReader, ChunkReaderLimits } from './chunk-reader';
import { ChunkWriter } from './chunk-writer';
import {
  describeMessage,
  loadObsPublishChunks,
  loadObsPublishTailChunks,
} from './testing/chunk-fixtures';

const hex = (text: string): Buffer => Buffer.from(text.replace(/[^0-9a-f]/gi, ''), 'hex');

function readAll(
  pieces: Buffer[],
  limits: Partial<ChunkReaderLimits> = {},
): { messages: RtmpMessage[]; reader: ChunkReader } {
  const messages: RtmpMessage[] = [];
  const reader = new ChunkReader((message) => messages.push(message), limits);
  for (const piece of pieces) reader.push(piece);
  return { messages, reader };
}

function splitAt(buffer: Buffer, ...offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, buffer.length]) {
    pieces.push(buffer.subarray(start, offset));
    start = offset;
  }
  return pieces;
}

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

    it('lets a chunk stream open with fmt 1 and borrows the last msid (srs#1006)', () => {
      const { messages } = readAll([hex('04 000000 000001 08 01000000 01 45 000021 000001 09 02')]);
      expect(messages[1]).toMatchObject({ chunkStreamId: 5, messageStreamId: 1, timestamp: 0x21 });
    });

    it('delivers zero-length messages', () => {
      const { messages } = readAll([hex('03 000000 000000 14 00000000 c3')]);
      expect(messages).toHaveLength(2);
      expect(messages.every((m) => m.payload.length === 0)).toBe(true);
    });
  });

  describe('chunking', () => {
    it('reassembles a message sent in chunks of the default size 128', () => {
      const payload = Buffer.alloc(300, 7);
      const input = Buffer.concat([
        hex('06 000000 00012c 09 01000000'),
        payload.subarray(0, 128),
        hex('c6'),
        payload.subarray(128, 256),
        hex('c6'),
        payload.subarray(256),
      ]);
      const { messages } = readAll([input]);
      expect(messages).toHaveLength(1);
      expect(messages[0].payload.equals(payload)).toBe(true);
    });

    it('interleaves chunks of different chunk streams', () => {
      const video = Buffer.alloc(200, 1);
      const audio = Buffer.alloc(10, 2);
      const input = Buffer.concat([
        hex('07 000000 0000c8 09 01000000'),
        video.subarray(0, 128),
        hex('06 000000 00000a 08 01000000'),
        audio,
        hex('c7'),
        video.subarray(128),
      ]);
      const { messages } = readAll([input]);
      expect(messages.map((m) => m.typeId)).toEqual([8, 9]);
      expect(messages[1].payload.equals(video)).toBe(true);
    });

    it('applies SetChunkSize at the byte where it ends, within the same buffer', () => {
      const payload = Buffer.alloc(4096, 9);
      const input = Buffer.concat([
        hex('02 000000 000004 01 00000000 00001000'),
        hex('06 000000 001000 09 01000000'),
        payload,
      ]);
      const { messages, reader } = readAll([input]);
      expect(reader.chunkSize).toBe(4096);
      expect(messages.map((m) => m.typeId)).toEqual([MessageType.SetChunkSize, 9]);
      expect(messages[1].payload.equals(payload)).toBe(true);
    });

    it('ignores the reserved top bit of SetChunkSize', () => {
      const { reader } = readAll([hex('02 000000 000004 01 00000000 80000100')]);
      expect(reader.chunkSize).toBe(256);
    });

    it('drops the unfinished message of the chunk stream named by Abort', () => {
      const input = Buffer.concat([
        hex('06 000000 0000c8 09 01000000'),
        Buffer.alloc(128, 1),
        hex('02 000000 000004 02 00000000 00000006'),
        hex('06 000000 000001 08 01000000 05'),
      ]);
      const { messages, reader } = readAll([input]);
      expect(messages.map((m) => m.typeId)).toEqual([MessageType.Abort, 8]);
      expect(messages[1].payload.toString('hex')).toBe('05');
      expect(reader.pendingMessageBytes).toBe(0);
    });

    it('drops an unfinished message when a new fmt 1 header starts on its chunk stream (srs#2523)', () => {
      const input = Buffer.concat([
        hex('04 000000 0000c8 09 01000000'),
        Buffer.alloc(128, 1),
        hex('44 000021 000002 08 abcd'),
      ]);
      const { messages, reader } = readAll([input]);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ typeId: 8, timestamp: 0x21 });
      expect(reader.pendingMessageBytes).toBe(0);
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

  describe('limits and faults', () => {
    it('refuses a message longer than maxMessageSize when its header arrives', () => {
      const reader = new ChunkReader(() => undefined, { maxMessageSize: 1000 });
      expectRtmpError(
        () => reader.push(hex('06 000000 0003e9 09 01000000')),
        ProtocolLimitError,
        RtmpErrorCode.ChunkMessageTooLarge,
      );
    });

    it('refuses SetChunkSize 0x7FFFFFFF before a huge message can be buffered', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () =>
          reader.push(hex('02 000000 000004 01 00000000 7fffffff 06 000000 ffffff 09 01000000')),
        ProtocolLimitError,
        RtmpErrorCode.ChunkSizeTooLarge,
      );
      expect(reader.pendingMessageBytes).toBe(0);
    });

    it('refuses SetChunkSize 0', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex('02 000000 000004 01 00000000 00000000')),
        ChunkStreamError,
        RtmpErrorCode.ChunkSizeInvalid,
      );
    });

    it('refuses a SetChunkSize shorter than 4 bytes', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex('02 000000 000002 01 00000000 0010')),
        ChunkStreamError,
        RtmpErrorCode.ChunkSizeInvalid,
      );
    });

    it('refuses an Abort shorter than 4 bytes', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex('02 000000 000001 02 00000000 06')),
        ChunkStreamError,
        RtmpErrorCode.MessageMalformed,
      );
    });

    it('refuses a chunk stream that opens with fmt 2 or fmt 3', () => {
      for (const input of ['85 000000', 'c5']) {
        const reader = new ChunkReader(() => undefined);
        expectRtmpError(
          () => reader.push(hex(input)),
          ChunkStreamError,
          RtmpErrorCode.ChunkNoPreviousHeader,
        );
      }
    });

    it('refuses more chunk streams than maxChunkStreams', () => {
      const reader = new ChunkReader(() => undefined, { maxChunkStreams: 3 });
      reader.push(hex('02 000000 000000 14 00000000 03 000000 000000 14 00000000'));
      reader.push(hex('04 000000 000000 14 00000000'));
      expectRtmpError(
        () => reader.push(hex('05 000000 000000 14 00000000')),
        ProtocolLimitError,
        RtmpErrorCode.ChunkStreamsExceeded,
      );
    });

    it('bounds bytes held in unfinished messages across chunk streams', () => {
      const reader = new ChunkReader(() => undefined, { maxPendingMessageBytes: 1000 });
      reader.push(Buffer.concat([hex('06 000000 0001f4 09 01000000'), Buffer.alloc(128)]));
      reader.push(Buffer.concat([hex('07 000000 0001f4 09 01000000'), Buffer.alloc(128)]));
      expect(reader.pendingMessageBytes).toBe(1000);
      expectRtmpError(
        () => reader.push(Buffer.concat([hex('08 000000 000002 09 01000000'), Buffer.alloc(1)])),
        ProtocolLimitError,
        RtmpErrorCode.ChunkPendingBytesExceeded,
      );
    });

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

  describe('what a peer can make it hold', () => {
    /**
     * A SetChunkSize 1, then `count` 9-byte units: an fmt 1 header announcing 16 MiB on one chunk
     * stream, and one payload byte.
     */
    function abandonFlood(count: number): Buffer {
      const unit = hex('44 000000 ffffff 09 00');
      return Buffer.concat([
        hex('02 000000 000004 01 00000000 00000001'),
        ...Array.from({ length: count }, () => unit),
      ]);
    }

    it('holds what arrived of a message, not what its header announces', () => {
      const reader = new ChunkReader(() => undefined);
      reader.push(Buffer.concat([hex('04 000000 ffffff 09 01000000'), Buffer.alloc(100)]));
      expect(reader.pendingMessageBytes).toBeLessThanOrEqual(4096);
    });

    it('grows a message as its chunks arrive and delivers it whole', () => {
      const writer = new ChunkWriter();
      const payload = Buffer.alloc(300_000);
      for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
      const bytes = Buffer.concat(
        writer.encode({
          chunkStreamId: 4,
          messageStreamId: 1,
          typeId: 9,
          timestamp: 0,
          payload,
        }),
      );
      const held: number[] = [];
      const messages: RtmpMessage[] = [];
      const reader = new ChunkReader((message) => messages.push(message));
      for (let offset = 0; offset < bytes.length; offset += 1000) {
        reader.push(bytes.subarray(offset, offset + 1000));
        held.push(reader.pendingMessageBytes);
      }
      expect(messages).toHaveLength(1);
      expect(messages[0].payload.equals(payload)).toBe(true);
      // Never more than twice what had arrived (doubling), never the whole size up front.
      expect(held[0]).toBeLessThanOrEqual(4096);
      held.slice(0, -1).forEach((bytesHeld, index) => {
        expect(bytesHeld).toBeLessThanOrEqual(Math.max(4096, 2 * (index + 1) * 1000));
      });
      expect(reader.pendingMessageBytes).toBe(0);
    });

    it('allocates the announced size at once once reconfigured to', () => {
      const reader = new ChunkReader(() => undefined, { maxMessageSize: 1000 });
      expectRtmpError(
        () =>
          new ChunkReader(() => undefined, { maxMessageSize: 1000 }).push(
            hex('04 000000 0007d0 09 01000000'),
          ),
        ProtocolLimitError,
        RtmpErrorCode.ChunkMessageTooLarge,
      );
      reader.reconfigure({ maxMessageSize: 1 << 20 }, { allocateAnnouncedSize: true });
      reader.push(Buffer.concat([hex('04 000000 0186a0 09 01000000'), Buffer.alloc(128)]));
      expect(reader.pendingMessageBytes).toBe(100_000);
    });

    it('reads past the types it skips, holding and delivering nothing of them', () => {
      const messages: RtmpMessage[] = [];
      const reader = new ChunkReader((message) => messages.push(message), {}, undefined, {
        skipMessageTypes: new Set([MessageType.Video]),
      });
      const writer = new ChunkWriter();
      const video = { chunkStreamId: 6, messageStreamId: 1, typeId: 9, timestamp: 0 };
      const bytes = Buffer.concat([
        ...writer.encode({ ...video, payload: Buffer.alloc(100_000, 1) }),
        ...writer.encode({ ...video, payload: Buffer.alloc(0) }),
        ...writer.encode({ ...video, typeId: 8, chunkStreamId: 4, payload: Buffer.from([0xaf]) }),
      ]);
      for (let offset = 0; offset < bytes.length; offset += 1000) {
        reader.push(bytes.subarray(offset, offset + 1000));
        expect(reader.pendingMessageBytes).toBe(0);
      }
      expect(messages.map((m) => m.typeId)).toEqual([8]);
      // Reconfigured, it delivers them again.
      reader.reconfigure({}, {});
      reader.push(Buffer.concat(writer.encode({ ...video, payload: Buffer.alloc(300, 2) })));
      expect(messages.map((m) => m.typeId)).toEqual([8, 9]);
      expect(messages[1].payload.length).toBe(300);
    });

    it('closes a peer that keeps abandoning messages (SetChunkSize 1 and 16 MiB headers)', () => {
      const reader = new ChunkReader(() => undefined);
      let caught: unknown;
      let unitsRead = 0;
      const flood = abandonFlood(10_000);
      // Fed in small pieces, as a socket would, to count how far it got.
      for (let offset = 0; offset < flood.length && caught === undefined; offset += 9) {
        try {
          reader.push(flood.subarray(offset, offset + 9));
          unitsRead += 1;
        } catch (error) {
          caught = error;
        }
        expect(reader.pendingMessageBytes).toBeLessThanOrEqual(4096);
      }
      expect(caught).toBeInstanceOf(ProtocolLimitError);
      expect((caught as RtmpError).code).toBe(RtmpErrorCode.ChunkAbandonedMessages);
      expect(unitsRead).toBeLessThan(40);
    });

    it('lets an encoder that abandons a message now and then go on', () => {
      const reader = new ChunkReader(() => undefined, { maxAbandonedMessages: 2 });
      const abandoned = Buffer.concat([hex('04 000000 0000c8 09 01000000'), Buffer.alloc(128)]);
      const complete = hex('44 000000 000001 09 00');
      for (let round = 0; round < 20; round++) {
        reader.push(abandoned);
        for (let i = 0; i < 64; i++) reader.push(complete);
      }
      expect(reader.chunkStreamCount).toBe(1);
    });

    it('reports what it holds to a budget, which may refuse it, and gives it all back on release', () => {
      let held = 0;
      const budget = {
        reserveMessageBytes: (bytes: number) => {
          if (held + bytes > 10_000)
            throw new RtmpError(RtmpErrorCode.ChunkServerPendingBytesExceeded, 'full', true);
          held += bytes;
        },
        releaseMessageBytes: (bytes: number) => (held -= bytes),
      };
      const reader = new ChunkReader(() => undefined, {}, budget);
      reader.push(Buffer.concat([hex('04 000000 001000 09 01000000'), Buffer.alloc(128)]));
      reader.push(Buffer.concat([hex('05 000000 001000 09 01000000'), Buffer.alloc(128)]));
      expect(held).toBe(reader.pendingMessageBytes);
      expect(held).toBe(8192);
      expectRtmpError(
        () => reader.push(Buffer.concat([hex('06 000000 001000 09 01000000'), Buffer.alloc(128)])),
        RtmpError,
        RtmpErrorCode.ChunkServerPendingBytesExceeded,
      );
      reader.release();
      expect(held).toBe(0);
      expect(() => reader.push(hex('c4'))).toThrow(RtmpError);
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
        const got = readAll(splitAt(capture, offset)).messages.map(describeMessage);
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
            const pieces = splitAt(capture, ...offsets.sort((a, b) => a - b));
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
            const { messages: read } = readAll(splitAt(wire, ...offsets), {
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
