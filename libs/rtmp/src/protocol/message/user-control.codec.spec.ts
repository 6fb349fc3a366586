import * as fc from 'fast-check';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { expectRtmpError, expectValueOrRtmpError, hex } from './testing/expect-rtmp-error';
import { UserControlEvent, UserControlEventType } from './user-control-event';
import { decodeUserControl, encodeUserControl } from './user-control.codec';

const KNOWN: [string, string, UserControlEvent][] = [
  ['StreamBegin', '0000 00000001', { kind: 'streamBegin', streamId: 1 }],
  ['StreamEOF', '0001 00000001', { kind: 'streamEof', streamId: 1 }],
  ['StreamDry', '0002 00000002', { kind: 'streamDry', streamId: 2 }],
  [
    'SetBufferLength',
    '0003 00000001 00000bb8',
    { kind: 'setBufferLength', streamId: 1, bufferLength: 3000 },
  ],
  ['StreamIsRecorded', '0004 00000001', { kind: 'streamIsRecorded', streamId: 1 }],
  ['PingRequest', '0006 0001e240', { kind: 'pingRequest', timestamp: 123456 }],
  ['PingResponse', '0007 ffffffff', { kind: 'pingResponse', timestamp: 0xffffffff }],
];

describe('User Control (4)', () => {
  describe.each(KNOWN)('%s', (_, payload, event) => {
    it(`decodes ${payload}`, () => {
      expect(decodeUserControl(hex(payload))).toEqual(event);
    });

    it('encodes back to the same bytes', () => {
      expect(encodeUserControl(event).toString('hex')).toBe(payload.replace(/ /g, ''));
    });

    it('ignores bytes after the fields', () => {
      expect(decodeUserControl(hex(`${payload} abcd`))).toEqual(event);
    });

    it('rejects data cut short with a fatal Truncated error', () => {
      const bytes = hex(payload);
      expectRtmpError(
        () => decodeUserControl(bytes.subarray(0, bytes.length - 1)),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
      );
    });
  });

  it('decodes StreamBegin 0, sent by servers on connect', () => {
    expect(decodeUserControl(hex('0000 00000000'))).toEqual({ kind: 'streamBegin', streamId: 0 });
  });

  describe('unknown events', () => {
    it('decodes BufferEmpty (31) to the unknown variant with its raw data', () => {
      const event = decodeUserControl(hex('001f 00000001'));
      expect(event.kind).toBe('unknown');
      if (event.kind !== 'unknown') return;
      expect(event.eventType).toBe(UserControlEventType.BufferEmpty);
      expect(event.data.toString('hex')).toBe('00000001');
    });

    it('decodes a SWF verification request (26) with no data', () => {
      expect(decodeUserControl(hex('001a'))).toEqual({
        kind: 'unknown',
        eventType: 26,
        data: Buffer.alloc(0),
      });
    });

    it('decodes a 44-byte SWF verification response (27)', () => {
      const payload = Buffer.concat([hex('001b 0101'), Buffer.alloc(40, 0xaa)]);
      const event = decodeUserControl(payload);
      expect(event).toMatchObject({ kind: 'unknown', eventType: 27 });
      if (event.kind === 'unknown') expect(event.data).toHaveLength(42);
    });

    it('decodes the unassigned event 5 and the largest type 0xffff', () => {
      expect(decodeUserControl(hex('0005 01'))).toMatchObject({ kind: 'unknown', eventType: 5 });
      expect(decodeUserControl(hex('ffff'))).toMatchObject({ kind: 'unknown', eventType: 0xffff });
    });

    it('hands out the data as a view of the payload', () => {
      const payload = hex('0020 00000001');
      const event = decodeUserControl(payload);
      if (event.kind !== 'unknown') throw new Error('expected the unknown variant');
      expect(event.data.buffer).toBe(payload.buffer);
      expect(event.data.byteOffset).toBe(payload.byteOffset + 2);
    });

    it('encodes back to the same bytes', () => {
      const payload = hex('0020 00000001');
      expect(encodeUserControl(decodeUserControl(payload)).equals(payload)).toBe(true);
    });
  });

  it('rejects a payload without a full event type with a fatal Truncated error', () => {
    const error = expectRtmpError(
      () => decodeUserControl(hex('00')),
      TruncatedDataError,
      RtmpErrorCode.Truncated,
    );
    expect(error.context).toMatchObject({ what: 'UserControl' });
  });

  it.each<UserControlEvent>([
    { kind: 'streamBegin', streamId: -1 },
    { kind: 'setBufferLength', streamId: 1, bufferLength: 2 ** 32 },
    { kind: 'pingRequest', timestamp: 1.5 },
    { kind: 'unknown', eventType: 0x10000, data: Buffer.alloc(0) },
  ])('refuses to encode %p', (event) => {
    expect(() => encodeUserControl(event)).toThrow(RangeError);
  });

  it('round-trips any event', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const event: fc.Arbitrary<UserControlEvent> = fc.oneof(
      fc.record({
        kind: fc.constantFrom(
          'streamBegin' as const,
          'streamEof' as const,
          'streamDry' as const,
          'streamIsRecorded' as const,
        ),
        streamId: u32,
      }),
      fc.record({
        kind: fc.constant('setBufferLength' as const),
        streamId: u32,
        bufferLength: u32,
      }),
      fc.record({
        kind: fc.constantFrom('pingRequest' as const, 'pingResponse' as const),
        timestamp: u32,
      }),
      fc.record({
        kind: fc.constant('unknown' as const),
        eventType: fc.integer({ min: 8, max: 0xffff }),
        data: fc.uint8Array({ maxLength: 50 }).map((bytes) => Buffer.from(bytes)),
      }),
    );
    fc.assert(
      fc.property(event, (value) => {
        expect(decodeUserControl(encodeUserControl(value))).toEqual(value);
      }),
    );
  });

  it('returns a value or an RtmpError for any bytes', () => {
    expectValueOrRtmpError(decodeUserControl);
  });
});
