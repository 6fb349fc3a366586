import { hex } from '../amf/testing/hex';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { MessageType } from '../message/message-type';
import { RtmpMessage } from '../message/rtmp-message';
import { expectRtmpError } from '../message/testing/expect-rtmp-error';
import { ChunkReader } from './chunk-reader';
import { ChunkWriter } from './chunk-writer';
import { readAll } from './testing/chunk-feed';

/*
 * Messages spread over several chunks (message-assembler.ts): reassembled whatever chunks of
 * other chunk streams come between, dropped when abandoned, and what a peer can make the
 * reader hold meanwhile (message size, pending bytes, abandoned messages, the owner's budget).
 * A message in one chunk is handed out as a view of the input (chunk-reader.spec.ts).
 */

describe('ChunkReader: messages over several chunks', () => {
  describe('reassembly', () => {
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

  describe('limits', () => {
    it('refuses a message longer than maxMessageSize when its header arrives', () => {
      const reader = new ChunkReader(() => undefined, { maxMessageSize: 1000 });
      expectRtmpError(
        () => reader.push(hex('06 000000 0003e9 09 01000000')),
        ProtocolLimitError,
        RtmpErrorCode.ChunkMessageTooLarge,
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
});
