import * as fc from 'fast-check';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import {
  AggregateSubMessage,
  createAggregateMessage,
  encodeAggregate,
  forEachAggregateSubMessage,
  splitAggregate,
} from './aggregate.codec';
import { MessageDecodeError } from './message-decode.error';
import { MessageType } from './message-type';
import { RtmpMessage } from './rtmp-message';
import { expectRtmpError, hex } from './testing/expect-rtmp-error';

/*
 * Three sub-messages, video / audio / video. Header timestamps use the extended (upper) byte:
 * 0x01fffff0, 0x02000000 (+16) and 0x02000021 (+49).
 */
const VIDEO_KEY = '09 000005 fffff0 01 000000 1701000000 00000010';
const AUDIO = '08 000002 000000 02 000000 af01 0000000d';
const VIDEO_INTER = '09 000003 000021 02 000000 270100 0000000e';
const THREE = hex(`${VIDEO_KEY} ${AUDIO} ${VIDEO_INTER}`);

function aggregate(payload: Buffer, timestamp = 1000): RtmpMessage {
  return {
    chunkStreamId: 7,
    messageStreamId: 1,
    typeId: MessageType.Aggregate,
    timestamp,
    payload,
  };
}

function summary(messages: RtmpMessage[]) {
  return messages.map((m) => ({
    chunkStreamId: m.chunkStreamId,
    messageStreamId: m.messageStreamId,
    typeId: m.typeId,
    timestamp: m.timestamp,
    payload: m.payload.toString('hex'),
  }));
}

describe('Aggregate (22)', () => {
  describe('decoding', () => {
    it('splits three audio/video sub-messages and rebases their timestamps', () => {
      expect(summary(splitAggregate(aggregate(THREE)))).toEqual([
        { chunkStreamId: 7, messageStreamId: 1, typeId: 9, timestamp: 1000, payload: '1701000000' },
        { chunkStreamId: 7, messageStreamId: 1, typeId: 8, timestamp: 1016, payload: 'af01' },
        { chunkStreamId: 7, messageStreamId: 1, typeId: 9, timestamp: 1049, payload: '270100' },
      ]);
    });

    it('puts sub-messages on the aggregate message stream whatever their header says', () => {
      const payload = hex('08 000001 000000 00 00002a ff 0000000c');
      expect(splitAggregate(aggregate(payload))[0].messageStreamId).toBe(1);
    });

    it('wraps rebased timestamps modulo 2^32', () => {
      const timestamps = splitAggregate(aggregate(THREE, 0xfffffff0)).map((m) => m.timestamp);
      expect(timestamps).toEqual([0xfffffff0, 0x00000000, 0x00000021]);
    });

    it('keeps a negative offset when a sub-message is earlier than the first', () => {
      const payload = hex(
        '09 000001 000064 00 000000 aa 0000000c  08 000001 00005a 00 000000 bb 0000000c',
      );
      expect(splitAggregate(aggregate(payload, 500)).map((m) => m.timestamp)).toEqual([500, 490]);
    });

    it('hands out bodies as views of the aggregate payload', () => {
      const [first] = splitAggregate(aggregate(THREE));
      expect(first.payload.buffer).toBe(THREE.buffer);
      expect(first.payload.byteOffset).toBe(THREE.byteOffset + 11);
    });

    it('visits sub-messages in order with their index and returns the count', () => {
      const seen: [number, number][] = [];
      const count = forEachAggregateSubMessage(aggregate(THREE), (m, index) =>
        seen.push([index, m.typeId]),
      );
      expect(count).toBe(3);
      expect(seen).toEqual([
        [0, 9],
        [1, 8],
        [2, 9],
      ]);
    });

    it('decodes an empty payload as no sub-messages', () => {
      expect(splitAggregate(aggregate(Buffer.alloc(0)))).toEqual([]);
    });

    it('accepts an empty sub-message body', () => {
      const [sub] = splitAggregate(aggregate(hex('12 000000 000000 00 000000 0000000b')));
      expect(sub.payload).toHaveLength(0);
      expect(sub.typeId).toBe(MessageType.DataAmf0);
    });

    it('does not check back-pointer values', () => {
      const payload = hex('08 000001 000000 00 000000 aa deadbeef');
      expect(splitAggregate(aggregate(payload))).toHaveLength(1);
    });

    it.each([1, 2, 3, 4])('tolerates the last back-pointer cut short by %i byte(s)', (missing) => {
      const payload = THREE.subarray(0, THREE.length - missing);
      expect(summary(splitAggregate(aggregate(payload)))).toEqual(
        summary(splitAggregate(aggregate(THREE))),
      );
    });

    it('rejects a body running past the end with a fatal MessageMalformed error', () => {
      const payload = hex('09 000010 000000 00 000000 1701000000');
      const error = expectRtmpError(
        () => splitAggregate(aggregate(payload)),
        MessageDecodeError,
        RtmpErrorCode.MessageMalformed,
      );
      expect(error.context).toEqual({
        what: 'Aggregate',
        index: 0,
        offset: 0,
        size: 16,
        available: 5,
      });
    });

    it('rejects a header cut short with a fatal MessageMalformed error', () => {
      const payload = Buffer.concat([THREE, hex('09 000005 00')]);
      const error = expectRtmpError(
        () => splitAggregate(aggregate(payload)),
        MessageDecodeError,
        RtmpErrorCode.MessageMalformed,
      );
      expect(error.context).toEqual({
        what: 'Aggregate',
        index: 3,
        offset: THREE.length,
        available: 5,
      });
    });

    it('returns sub-messages or an RtmpError for any bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(0xffffffff), (bytes, timestamp) => {
          try {
            for (const sub of splitAggregate(aggregate(Buffer.from(bytes), timestamp))) {
              expect(sub.timestamp).toBeGreaterThanOrEqual(0);
              expect(sub.timestamp).toBeLessThanOrEqual(0xffffffff);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('encoding', () => {
    const SUBS: AggregateSubMessage[] = [
      { typeId: 9, timestamp: 0x01fffff0, payload: hex('1701000000') },
      { typeId: 8, timestamp: 0x02000000, payload: hex('af01') },
      { typeId: 9, timestamp: 0x02000021, payload: hex('270100') },
    ];

    it('writes the hand-written bytes: headers, extended byte, stream id 0, back-pointers', () => {
      expect(encodeAggregate(SUBS).equals(THREE)).toBe(true);
    });

    it('creates a message stamped with the first timestamp that decodes back to the input', () => {
      const message = createAggregateMessage(SUBS, { chunkStreamId: 6, messageStreamId: 1 });
      expect(message).toMatchObject({
        chunkStreamId: 6,
        messageStreamId: 1,
        typeId: MessageType.Aggregate,
        timestamp: 0x01fffff0,
      });
      expect(
        splitAggregate(message).map((m) => ({
          typeId: m.typeId,
          timestamp: m.timestamp,
          payload: m.payload,
        })),
      ).toEqual(SUBS);
    });

    it('creates an empty aggregate stamped 0', () => {
      const message = createAggregateMessage([], { chunkStreamId: 6, messageStreamId: 1 });
      expect(message.timestamp).toBe(0);
      expect(message.payload).toHaveLength(0);
    });

    it('round-trips any sub-messages', () => {
      const sub = fc.record({
        typeId: fc.integer({ min: 0, max: 255 }),
        timestamp: fc.nat(0xffffffff),
        payload: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
      });
      fc.assert(
        fc.property(fc.array(sub, { maxLength: 8 }), (subs) => {
          const message = createAggregateMessage(subs, { chunkStreamId: 4, messageStreamId: 3 });
          const decoded = splitAggregate(message);
          expect(decoded.map((m) => [m.typeId, m.timestamp, m.payload])).toEqual(
            subs.map((s) => [s.typeId, s.timestamp, s.payload]),
          );
        }),
      );
    });

    it.each<[string, AggregateSubMessage]>([
      ['a type id above 255', { typeId: 256, timestamp: 0, payload: Buffer.alloc(0) }],
      ['a negative timestamp', { typeId: 8, timestamp: -1, payload: Buffer.alloc(0) }],
      ['a timestamp above 2^32 - 1', { typeId: 8, timestamp: 2 ** 32, payload: Buffer.alloc(0) }],
    ])('refuses to encode %s', (_, sub) => {
      expect(() => encodeAggregate([sub])).toThrow(RangeError);
    });

    it('refuses to encode more than a message can carry', () => {
      const half = Buffer.alloc(0x800000);
      const subs = [half, half].map((payload) => ({ typeId: 9, timestamp: 0, payload }));
      expect(() => encodeAggregate(subs)).toThrow(RangeError);
    });
  });
});
