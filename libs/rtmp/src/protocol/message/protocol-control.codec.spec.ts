import * as fc from 'fast-check';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { MessageDecodeError } from './message-decode.error';
import { PeerBandwidthLimit } from './peer-bandwidth-limit';
import {
  decodeAbort,
  decodeAcknowledgement,
  decodeSetChunkSize,
  decodeSetPeerBandwidth,
  decodeWindowAcknowledgementSize,
  encodeAbort,
  encodeAcknowledgement,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeWindowAcknowledgementSize,
} from './protocol-control.codec';
import { expectRtmpError, expectValueOrRtmpError, hex } from './testing/expect-rtmp-error';

const u32Codecs = [
  { name: 'Abort', decode: decodeAbort, encode: encodeAbort },
  { name: 'Acknowledgement', decode: decodeAcknowledgement, encode: encodeAcknowledgement },
  {
    name: 'WindowAcknowledgementSize',
    decode: decodeWindowAcknowledgementSize,
    encode: encodeWindowAcknowledgementSize,
  },
];

describe('SetChunkSize (1)', () => {
  it('decodes 00 00 10 00 as 4096 (what OBS sends)', () => {
    expect(decodeSetChunkSize(hex('00001000'))).toBe(4096);
  });

  it('encodes 4096 as 00 00 10 00', () => {
    expect(encodeSetChunkSize(4096).toString('hex')).toBe('00001000');
  });

  it('decodes the extremes 1 and 0x7fffffff', () => {
    expect(decodeSetChunkSize(hex('00000001'))).toBe(1);
    expect(decodeSetChunkSize(hex('7fffffff'))).toBe(0x7fffffff);
  });

  it('ignores bytes after the field', () => {
    expect(decodeSetChunkSize(hex('0000ea60 ffff'))).toBe(60000);
  });

  it('round-trips every valid size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), (size) => {
        expect(decodeSetChunkSize(encodeSetChunkSize(size))).toBe(size);
      }),
    );
  });

  it('rejects a set top bit with a fatal MessageMalformed error', () => {
    const error = expectRtmpError(
      () => decodeSetChunkSize(hex('80001000')),
      MessageDecodeError,
      RtmpErrorCode.MessageMalformed,
    );
    expect(error.context).toEqual({ what: 'SetChunkSize', value: 0x80001000 });
  });

  it('rejects a chunk size of 0 with a fatal MessageMalformed error', () => {
    expectRtmpError(
      () => decodeSetChunkSize(hex('00000000')),
      MessageDecodeError,
      RtmpErrorCode.MessageMalformed,
    );
  });

  it('rejects a payload shorter than 4 bytes with a fatal Truncated error', () => {
    const error = expectRtmpError(
      () => decodeSetChunkSize(hex('001000')),
      TruncatedDataError,
      RtmpErrorCode.Truncated,
    );
    expect(error.context).toMatchObject({ what: 'SetChunkSize', needed: 4, available: 3 });
  });

  it.each([0, 0x80000000, -1, 1.5, Number.NaN])('refuses to encode %p', (size) => {
    expect(() => encodeSetChunkSize(size)).toThrow(RangeError);
  });

  it('returns a value or an RtmpError for any bytes', () => {
    expectValueOrRtmpError(decodeSetChunkSize);
  });
});

describe.each(u32Codecs)('$name', ({ name, decode, encode }) => {
  it('decodes 00 4c 4b 40 as 5000000 and encodes it back', () => {
    expect(decode(hex('004c4b40'))).toBe(5_000_000);
    expect(encode(5_000_000).toString('hex')).toBe('004c4b40');
  });

  it('takes the full unsigned 32-bit range, 0 included', () => {
    expect(decode(hex('ffffffff'))).toBe(0xffffffff);
    expect(decode(hex('00000000'))).toBe(0);
  });

  it('ignores bytes after the field', () => {
    expect(decode(hex('00000003 00'))).toBe(3);
  });

  it('round-trips any u32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        expect(decode(encode(value))).toBe(value);
      }),
    );
  });

  it('rejects a short payload with a fatal Truncated error', () => {
    const error = expectRtmpError(
      () => decode(hex('0000')),
      TruncatedDataError,
      RtmpErrorCode.Truncated,
    );
    expect(error.context).toMatchObject({ what: name });
  });

  it.each([-1, 2 ** 32, 0.5])('refuses to encode %p', (value) => {
    expect(() => encode(value)).toThrow(RangeError);
  });

  it('returns a value or an RtmpError for any bytes', () => {
    expectValueOrRtmpError(decode);
  });
});

describe('SetPeerBandwidth (6)', () => {
  it.each([
    ['004c4b40 00', PeerBandwidthLimit.Hard],
    ['004c4b40 01', PeerBandwidthLimit.Soft],
    ['004c4b40 02', PeerBandwidthLimit.Dynamic],
  ])('decodes %s', (payload, limitType) => {
    expect(decodeSetPeerBandwidth(hex(payload))).toEqual({ windowSize: 5_000_000, limitType });
  });

  it('encodes window 5000000, dynamic as 00 4c 4b 40 02 (what nginx sends)', () => {
    const payload = encodeSetPeerBandwidth({
      windowSize: 5_000_000,
      limitType: PeerBandwidthLimit.Dynamic,
    });
    expect(payload.toString('hex')).toBe('004c4b4002');
  });

  it.each(['03', '7f', 'ff'])('decodes unknown limit type %s as dynamic, without failing', (b) => {
    expect(decodeSetPeerBandwidth(hex(`00002710 ${b}`))).toEqual({
      windowSize: 10_000,
      limitType: PeerBandwidthLimit.Dynamic,
    });
  });

  it('ignores bytes after the fields', () => {
    expect(decodeSetPeerBandwidth(hex('00002710 00 0102')).limitType).toBe(PeerBandwidthLimit.Hard);
  });

  it('round-trips any window and known limit type', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom(...Object.values(PeerBandwidthLimit)),
        (windowSize, limitType) => {
          const value = { windowSize, limitType };
          expect(decodeSetPeerBandwidth(encodeSetPeerBandwidth(value))).toEqual(value);
        },
      ),
    );
  });

  it('rejects a payload without the limit type byte with a fatal Truncated error', () => {
    expectRtmpError(
      () => decodeSetPeerBandwidth(hex('004c4b40')),
      TruncatedDataError,
      RtmpErrorCode.Truncated,
    );
  });

  it('refuses to encode an out-of-range window', () => {
    expect(() =>
      encodeSetPeerBandwidth({ windowSize: -5, limitType: PeerBandwidthLimit.Hard }),
    ).toThrow(RangeError);
  });

  it('returns a value or an RtmpError for any bytes', () => {
    expectValueOrRtmpError(decodeSetPeerBandwidth);
  });
});
