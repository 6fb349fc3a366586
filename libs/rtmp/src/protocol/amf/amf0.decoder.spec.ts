import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { AmfBadReferenceError } from './amf-bad-reference.error';
import { AmfMalformedError } from './amf-malformed.error';
import { AmfTooDeepError } from './amf-too-deep.error';
import { AmfTooLargeError } from './amf-too-large.error';
import { AmfUnknownMarkerError } from './amf-unknown-marker.error';
import { AmfEcmaArray, AmfObject, AmfTypedObject, AmfValue } from './amf-value';
import { Amf0Decoder, decodeAmf0, decodeAmf0Values } from './amf0.decoder';
import { AMF_DEPTH_CEILING } from './amf.options';
import { AMF0_FIXTURES } from './testing/amf0.fixtures';
import { expectRtmpError } from './testing/expect-rtmp-error';
import { hex, utf8Hex } from './testing/hex';

const ONE = '3ff0000000000000';

describe('AMF0 decoder', () => {
  describe('fixtures from the spec', () => {
    it.each(AMF0_FIXTURES.map((fixture) => [fixture.name, fixture] as const))(
      '%s',
      (_name, fixture) => {
        const decoded = decodeAmf0(fixture.bytes);
        expect(decoded).toEqual(fixture.value);
        if (fixture.value !== null && typeof fixture.value === 'object') {
          expect(Object.getPrototypeOf(decoded)).toBe(Object.getPrototypeOf(fixture.value));
        }
      },
    );

    it('keeps -0 and NaN exactly', () => {
      expect(Object.is(decodeAmf0(hex('00 8000000000000000')), -0)).toBe(true);
      expect(decodeAmf0(hex('00 7ff8000000000000'))).toBeNaN();
    });
  });

  describe('markers that only decode', () => {
    it('0x0D unsupported reads as undefined', () => {
      expect(decodeAmf0Values(hex('0d 05'))).toEqual([undefined, null]);
    });

    it('0x01 boolean: any non-zero byte is true', () => {
      expect(decodeAmf0(hex('01 02'))).toBe(true);
    });

    it('0x0B date: a non-zero time zone is read and dropped', () => {
      expect(decodeAmf0(hex('0b 4276f5e66e800000 fe20'))).toEqual(new Date(Date.UTC(2020, 0, 1)));
    });

    it('0x0C long string may carry a short text', () => {
      expect(decodeAmf0(hex('0c 00000002 6869'))).toBe('hi');
    });

    it('0x11 AVM+ integer, double, string and true', () => {
      expect(decodeAmf0Values(hex('11 04 7f 11 05', ONE, '11 06 05 6869 11 03'))).toEqual([
        127,
        1,
        'hi',
        true,
      ]);
    });

    it('0x10 typed object with an empty class name stays a typed object', () => {
      expect(decodeAmf0(hex('10 0000 0000 09'))).toEqual(new AmfTypedObject('', {}));
    });
  });

  describe('0x07 reference', () => {
    it('points at earlier complex values in the order they opened', () => {
      // Table: [0] the strict array, [1] the object.
      const decoded = decodeAmf0(
        hex('0a 00000002 03 0001 61 00', ONE, '0000 09 07 0001'),
      ) as AmfValue[];
      expect(decoded).toEqual([{ a: 1 }, { a: 1 }]);
      expect(decoded[1]).toBe(decoded[0]);
    });

    it('can point at the object being read (a cycle)', () => {
      const decoded = decodeAmf0(hex('03 0004', utf8Hex('self'), '07 0000 0000 09')) as AmfObject;
      expect(decoded.self).toBe(decoded);
    });

    it('counts ECMA arrays, strict arrays and typed objects, not dates or strings', () => {
      const values = decodeAmf0Values(
        hex(
          '08 00000000 0000 09', // [0]
          '0b 0000000000000000 0000', // dates are not in the table
          '0a 00000000', // [1]
          '10 0001 54 0000 09', // [2]
          '07 0000 07 0001 07 0002',
        ),
      );
      expect(values[4]).toBe(values[0]);
      expect(values[5]).toBe(values[2]);
      expect(values[6]).toBe(values[3]);
    });

    it('shares one table across the values of a payload', () => {
      const values = decodeAmf0Values(hex('03 0000 09 07 0000'));
      expect(values[1]).toBe(values[0]);
    });

    it('does not see AMF3 values switched in with 0x11', () => {
      expectRtmpError(
        () => decodeAmf0Values(hex('11 0a 0b 01 01 07 0000')),
        AmfBadReferenceError,
        RtmpErrorCode.AmfBadReference,
        false,
      );
    });
  });

  describe('0x08 ECMA array leniency', () => {
    const body = hex('0001 61 00', ONE, '0001 62 00', ONE, '0000 09');

    it.each([
      ['0', '00000000'],
      ['20', '00000014'],
      ['0xFFFFFFFF', 'ffffffff'],
    ])('a count of %s is only a hint: properties run to the end marker', (_label, count) => {
      const decoded = decodeAmf0Values(Buffer.concat([hex('08', count), body, hex('05')]));
      expect(decoded).toEqual([new AmfEcmaArray({ a: 1, b: 1 }), null]);
      expect(decoded[0]).toBeInstanceOf(AmfEcmaArray);
    });

    it('tolerates a missing end marker when the payload ends at a property boundary', () => {
      expect(decodeAmf0(hex('08 00000001 0001 61 00', ONE))).toEqual(new AmfEcmaArray({ a: 1 }));
    });

    it('still needs the end marker of an object', () => {
      expectRtmpError(
        () => decodeAmf0(hex('03 0001 61 00', ONE)),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('reads an empty name followed by a value as a property named ""', () => {
      expect(decodeAmf0(hex('08 00000001 0000 05 0000 09'))).toEqual(
        new AmfEcmaArray({ '': null }),
      );
    });
  });

  describe('hostile property names', () => {
    it('"__proto__" becomes an own property, not the prototype', () => {
      const decoded = decodeAmf0(
        hex('03 0009', utf8Hex('__proto__'), '02 0001 78 0000 09'),
      ) as AmfObject;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(Object.keys(decoded)).toEqual(['__proto__']);
      expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe('x');
    });
  });

  describe('errors', () => {
    it('an empty input is truncated', () => {
      expectRtmpError(
        () => decodeAmf0(Buffer.alloc(0)),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('a number cut short is truncated', () => {
      expectRtmpError(
        () => decodeAmf0(hex('00 3ff0')),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('a string longer than the bytes left is truncated', () => {
      const error = expectRtmpError(
        () => decodeAmf0(hex('02 0010 6162')),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
      expect(error.context).toMatchObject({ needed: 16, available: 2 });
    });

    it('a long string or XML length of 0xFFFFFFFF with 2 bytes left is truncated', () => {
      for (const marker of ['0c', '0f']) {
        expectRtmpError(
          () => decodeAmf0(hex(marker, 'ffffffff 6162')),
          TruncatedDataError,
          RtmpErrorCode.Truncated,
          true,
        );
      }
    });

    it('an undefined marker is unknown', () => {
      const error = expectRtmpError(
        () => decodeAmf0(hex('12')),
        AmfUnknownMarkerError,
        RtmpErrorCode.AmfUnknownMarker,
        false,
      );
      expect(error.context).toMatchObject({
        format: 'AMF0',
        marker: 0x12,
        offset: 0,
        reserved: false,
      });
    });

    it.each([
      ['0x04 movieclip', '04'],
      ['0x0E recordset', '0e'],
    ])('the reserved %s marker is refused', (_name, marker) => {
      const error = expectRtmpError(
        () => decodeAmf0(hex(marker)),
        AmfUnknownMarkerError,
        RtmpErrorCode.AmfUnknownMarker,
        false,
      );
      expect(error.context).toMatchObject({ reserved: true });
    });

    it('an object-end marker where a value belongs is malformed', () => {
      expectRtmpError(
        () => decodeAmf0(hex('09')),
        AmfMalformedError,
        RtmpErrorCode.AmfMalformed,
        false,
      );
    });

    it('an object-end marker after a non-empty name is malformed', () => {
      expectRtmpError(
        () => decodeAmf0(hex('03 0001 61 09')),
        AmfMalformedError,
        RtmpErrorCode.AmfMalformed,
        false,
      );
    });

    it('bytes after the one value decodeAmf0 reads are malformed', () => {
      const error = expectRtmpError(
        () => decodeAmf0(hex('05 05')),
        AmfMalformedError,
        RtmpErrorCode.AmfMalformed,
        false,
      );
      expect(error.context).toMatchObject({ offset: 1, remaining: 1 });
    });

    it('a reference past the table is a bad reference', () => {
      const error = expectRtmpError(
        () => decodeAmf0(hex('0a 00000001 07 0001')),
        AmfBadReferenceError,
        RtmpErrorCode.AmfBadReference,
        false,
      );
      expect(error.context).toMatchObject({ table: 'AMF0 object', index: 1, size: 1 });
    });

    it('a strict array count of 0xFFFFFFFF with 3 bytes left is too large (no allocation)', () => {
      const error = expectRtmpError(
        () => decodeAmf0(hex('0a ffffffff 05 05 05')),
        AmfTooLargeError,
        RtmpErrorCode.AmfTooLarge,
        true,
      );
      expect(error.context).toMatchObject({ count: 0xffffffff, available: 3 });
    });

    it('10,000 nested strict arrays fail as too deep, quickly and without a stack overflow', () => {
      const bytes = Buffer.concat([Buffer.from('0a00000001'.repeat(10_000), 'hex'), hex('05')]);
      const started = Date.now();
      const error = expectRtmpError(
        () => decodeAmf0(bytes),
        AmfTooDeepError,
        RtmpErrorCode.AmfTooDeep,
        true,
      );
      expect(Date.now() - started).toBeLessThan(500);
      expect(error.context).toMatchObject({ maxDepth: 64, offset: 64 * 5 });
    });

    it('10,000 nested objects fail as too deep', () => {
      const bytes = Buffer.from('0300016f'.repeat(10_000), 'hex');
      expectRtmpError(() => decodeAmf0(bytes), AmfTooDeepError, RtmpErrorCode.AmfTooDeep, true);
    });

    it('nesting exactly maxDepth deep is fine, one more is not', () => {
      const nest = (levels: number): Buffer =>
        Buffer.concat([Buffer.from('0a00000001'.repeat(levels), 'hex'), hex('05')]);
      expect(() => decodeAmf0(nest(64))).not.toThrow();
      expectRtmpError(() => decodeAmf0(nest(65)), AmfTooDeepError, RtmpErrorCode.AmfTooDeep, true);
      expect(() => decodeAmf0(nest(3), { maxDepth: 3 })).not.toThrow();
      expectRtmpError(
        () => decodeAmf0(nest(4), { maxDepth: 3 }),
        AmfTooDeepError,
        RtmpErrorCode.AmfTooDeep,
        true,
      );
    });

    it('caps maxDepth at the ceiling, so a huge limit still cannot overflow the stack', () => {
      const bytes = Buffer.concat([Buffer.from('0a00000001'.repeat(10_000), 'hex'), hex('05')]);
      const error = expectRtmpError(
        () => decodeAmf0(bytes, { maxDepth: 1e9, maxEntries: 1e9 }),
        AmfTooDeepError,
        RtmpErrorCode.AmfTooDeep,
        true,
      );
      expect(error.context).toMatchObject({ maxDepth: AMF_DEPTH_CEILING });
    });

    it('AMF3 values behind 0x11 count towards the same depth', () => {
      // 3 AMF0 strict arrays, then an AMF3 value with 2 nested dense arrays: 5 levels.
      const bytes = hex('0a00000001 0a00000001 0a00000001 11 0903 01 0903 01 01');
      expect(() => decodeAmf0(bytes, { maxDepth: 5 })).not.toThrow();
      expectRtmpError(
        () => decodeAmf0(bytes, { maxDepth: 4 }),
        AmfTooDeepError,
        RtmpErrorCode.AmfTooDeep,
        true,
      );
    });
  });

  describe('Amf0Decoder', () => {
    it('reads values one at a time from a start offset', () => {
      const decoder = new Amf0Decoder(hex('ff 05 01 01'), undefined, 1);
      expect(decoder.readValue()).toBeNull();
      expect(decoder.offset).toBe(2);
      expect(decoder.readValue()).toBe(true);
      expect(decoder.atEnd).toBe(true);
    });
  });
});
