import { ByteReader } from '../buffer/byte-reader';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { AmfBadReferenceError } from './amf-bad-reference.error';
import { AmfMalformedError } from './amf-malformed.error';
import { AmfTooDeepError } from './amf-too-deep.error';
import { AmfTooLargeError } from './amf-too-large.error';
import { AmfUnknownMarkerError } from './amf-unknown-marker.error';
import { AmfEcmaArray, AmfExternalizable, AmfObject, AmfTypedObject, AmfValue } from './amf-value';
import { decodeAmf0Values } from './amf0.decoder';
import { Amf3Decoder, decodeAmf3, decodeAmf3Values } from './amf3.decoder';
import { AMF3_FIXTURES } from './testing/amf3.fixtures';
import { expectRtmpError } from './testing/expect-rtmp-error';
import { hex, utf8Hex } from './testing/hex';

describe('AMF3 decoder', () => {
  describe('fixtures from the spec', () => {
    it.each(AMF3_FIXTURES.map((fixture) => [fixture.name, fixture] as const))(
      '%s',
      (_name, fixture) => {
        const decoded = decodeAmf3(fixture.bytes);
        expect(decoded).toEqual(fixture.value);
        if (fixture.value !== null && typeof fixture.value === 'object') {
          expect(Object.getPrototypeOf(decoded)).toBe(Object.getPrototypeOf(fixture.value));
        }
      },
    );

    it('keeps -0 as a double', () => {
      expect(Object.is(decodeAmf3(hex('05 8000000000000000')), -0)).toBe(true);
    });
  });

  describe('leniency', () => {
    it('accepts a U29 in a longer form than needed', () => {
      expect(decodeAmf3(hex('04 8001'))).toBe(1);
      expect(decodeAmf3(hex('04 80808001'))).toBe(1);
    });

    it('ignores the unused bits of a date header', () => {
      expect(decodeAmf3(hex('08 7f 0000000000000000'))).toEqual(new Date(0));
    });

    it('reads a non-zero "fixed" byte as fixed', () => {
      expect(decodeAmf3(hex('0d 01 ff'))).toMatchObject({ fixed: true, items: [] });
    });

    it('reads an anonymous object with no dynamic flag and no members as a typed object', () => {
      expect(decodeAmf3(hex('0a 03 01'))).toEqual(
        new AmfTypedObject('', {}, { sealed: [], dynamic: false }),
      );
    });
  });

  describe('reference tables', () => {
    it('string references resolve across property names, class names and values', () => {
      // "Foo" is string 0, "a" string 1, "b" string 2; the value `06 00` is "Foo".
      expect(decodeAmf3(hex('0a 1b 07', utf8Hex('Foo'), '03 61 04 01 03 62 06 00 01'))).toEqual(
        new AmfTypedObject('Foo', { a: 1, b: 'Foo' }, { sealed: ['a'], dynamic: true }),
      );
      // The dynamic name `02` is "a" again (it overwrites the sealed value), the value `06 02` too.
      expect(decodeAmf3(hex('0a 1b 07', utf8Hex('Foo'), '03 61 04 01 02 06 02 01'))).toEqual(
        new AmfTypedObject('Foo', { a: 'a' }, { sealed: ['a'], dynamic: true }),
      );
    });

    it('never puts the empty string in the string table', () => {
      // "" then "x": the reference `06 00` is "x", index 0.
      expect(decodeAmf3(hex('09 07 01 06 01 06 03 78 06 00'))).toEqual(['', 'x', 'x']);
    });

    it('object references point at the same value, in the order complex values opened', () => {
      // Table: [0] the outer array, [1] the empty object.
      const decoded = decodeAmf3(hex('09 05 01 0a 0b 01 01 0a 02')) as AmfValue[];
      expect(decoded[1]).toBe(decoded[0]);
    });

    it('dates, XML, byte arrays and vectors take object table slots', () => {
      const decoded = decodeAmf3(
        hex(
          '09 15 01', // [0] array of 10
          '08 01 0000000000000000', // [1]
          '07 03 61', // [2]
          '0b 03 62', // [3]
          '0c 03 ff', // [4]
          '0d 01 00', // [5]
          '08 02 07 04 0c 06 0c 08 0c 0a',
        ),
      ) as AmfValue[];
      for (let index = 0; index < 5; index++) expect(decoded[index + 5]).toBe(decoded[index]);
    });

    it('an object can refer to itself', () => {
      const decoded = decodeAmf3(hex('0a 0b 01 09', utf8Hex('self'), '0a 00 01')) as AmfObject;
      expect(decoded.self).toBe(decoded);
    });

    it('an array can refer to itself, dense or associative', () => {
      const dense = decodeAmf3(hex('09 03 01 09 00')) as AmfValue[];
      expect(dense[0]).toBe(dense);
      const mixed = decodeAmf3(hex('09 01 03 61 09 00 01')) as AmfEcmaArray;
      expect(mixed.a).toBe(mixed);
    });

    it('an externalizable wrapper can be referred to from its body', () => {
      const decoded = decodeAmf3(
        hex('0a 07 3b', utf8Hex('flex.messaging.io.ObjectProxy'), '0a 0b 01 03 70 0a 00 01'),
      ) as AmfExternalizable;
      expect((decoded.value as AmfObject).p).toBe(decoded);
    });

    it('traits references reuse class name, sealed names and dynamic flag', () => {
      const decoded = decodeAmf3(
        hex('09 05 01 0a 1b 03 54 03 78 04 01 01 0a 01 04 02 03 79 04 03 01'),
      ) as AmfTypedObject[];
      expect(decoded[1]).toEqual(
        new AmfTypedObject('T', { x: 2, y: 3 }, { sealed: ['x'], dynamic: true }),
      );
      expect(decoded[1].traits).toBe(decoded[0].traits);
    });

    it('one context spans all values of decodeAmf3Values', () => {
      expect(decodeAmf3Values(hex('06 03 61 06 00'))).toEqual(['a', 'a']);
    });

    it('each AVM+ switch inside AMF0 starts fresh tables', () => {
      // The second switched value refers to string 0, which only the first switch has seen.
      expect(decodeAmf0Values(hex('11 06 05 6162 11 06 05 6162'))).toEqual(['ab', 'ab']);
      expectRtmpError(
        () => decodeAmf0Values(hex('11 06 05 6162 11 06 00')),
        AmfBadReferenceError,
        RtmpErrorCode.AmfBadReference,
        false,
      );
    });
  });

  describe('errors', () => {
    it('an empty input is truncated', () => {
      expectRtmpError(
        () => decodeAmf3(Buffer.alloc(0)),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('a U29 cut short is truncated', () => {
      expectRtmpError(
        () => decodeAmf3(hex('04 ff ff')),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('a string longer than the bytes left is truncated', () => {
      expectRtmpError(
        () => decodeAmf3(hex('06 0b 6162')),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('a byte array of 2^28-1 bytes with 1 byte left is truncated', () => {
      expectRtmpError(
        () => decodeAmf3(hex('0c ffffffff 00')),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });

    it('a marker above 0x11 is unknown', () => {
      const error = expectRtmpError(
        () => decodeAmf3(hex('12')),
        AmfUnknownMarkerError,
        RtmpErrorCode.AmfUnknownMarker,
        false,
      );
      expect(error.context).toMatchObject({ format: 'AMF3', marker: 0x12 });
    });

    it.each([
      ['string', '06 02', 'AMF3 string'],
      ['object', '0a 00', 'AMF3 object'],
      ['date', '08 02', 'AMF3 object'],
      ['traits', '0a 05', 'AMF3 traits'],
    ])('a %s reference past its table is a bad reference', (_name, bytes, table) => {
      const error = expectRtmpError(
        () => decodeAmf3(hex(bytes)),
        AmfBadReferenceError,
        RtmpErrorCode.AmfBadReference,
        false,
      );
      expect(error.context).toMatchObject({ table });
    });

    it('an externalizable class with a private format is malformed', () => {
      const error = expectRtmpError(
        () => decodeAmf3(hex('0a 07 07', utf8Hex('Foo'), '00')),
        AmfMalformedError,
        RtmpErrorCode.AmfMalformed,
        false,
      );
      expect(error.context).toMatchObject({ className: 'Foo' });
    });

    it('bytes after the one value decodeAmf3 reads are malformed', () => {
      expectRtmpError(
        () => decodeAmf3(hex('01 01')),
        AmfMalformedError,
        RtmpErrorCode.AmfMalformed,
        false,
      );
    });

    it.each([
      ['dense array', '09 ffffffff 01'],
      ['vector of int', '0d 09 00 00000000'],
      ['vector of double', '0f 03 00 00000000'],
      ['vector of object', '10 ffffffff 00 01'],
      ['dictionary', '11 05 00 01 01'],
      ['sealed member list', '0a ffffff73 01'],
    ])('a %s count larger than the bytes left is too large, before allocating', (_name, bytes) => {
      expectRtmpError(
        () => decodeAmf3(hex(bytes)),
        AmfTooLargeError,
        RtmpErrorCode.AmfTooLarge,
        true,
      );
    });

    it('10,000 nested arrays fail as too deep, quickly and without a stack overflow', () => {
      const bytes = Buffer.concat([Buffer.from('090301'.repeat(10_000), 'hex'), hex('01')]);
      const started = Date.now();
      expectRtmpError(() => decodeAmf3(bytes), AmfTooDeepError, RtmpErrorCode.AmfTooDeep, true);
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('10,000 nested objects fail as too deep', () => {
      // The first object writes traits and the name "o"; the others reuse both by reference.
      const bytes = Buffer.concat([
        hex('0a 0b 01 03 6f'),
        Buffer.from('0a0100'.repeat(10_000), 'hex'),
      ]);
      expectRtmpError(() => decodeAmf3(bytes), AmfTooDeepError, RtmpErrorCode.AmfTooDeep, true);
    });

    it('nested dictionaries, object vectors and externalizable wrappers count as levels', () => {
      const dictionaries = Buffer.from('11 03 00 01'.replace(/ /g, '').repeat(100), 'hex');
      expectRtmpError(
        () => decodeAmf3(dictionaries),
        AmfTooDeepError,
        RtmpErrorCode.AmfTooDeep,
        true,
      );
      const vectors = Buffer.from('10 03 00 01'.replace(/ /g, '').repeat(100), 'hex');
      expectRtmpError(() => decodeAmf3(vectors), AmfTooDeepError, RtmpErrorCode.AmfTooDeep, true);
      const wrappers = Buffer.concat([
        hex('0a 07 3b', utf8Hex('flex.messaging.io.ObjectProxy')),
        Buffer.from('0a01'.repeat(100), 'hex'),
      ]);
      expectRtmpError(() => decodeAmf3(wrappers), AmfTooDeepError, RtmpErrorCode.AmfTooDeep, true);
    });

    it('honours a smaller maxDepth', () => {
      expect(() => decodeAmf3(hex('09 03 01 09 03 01 01'), { maxDepth: 2 })).not.toThrow();
      expectRtmpError(
        () => decodeAmf3(hex('09 03 01 09 03 01 01'), { maxDepth: 1 }),
        AmfTooDeepError,
        RtmpErrorCode.AmfTooDeep,
        true,
      );
    });
  });

  describe('Amf3Decoder', () => {
    it('reads from a shared ByteReader and leaves it after the value', () => {
      const reader = new ByteReader(hex('04 05 ff'), 'test');
      expect(new Amf3Decoder(reader, 64).readValue()).toBe(5);
      expect(reader.offset).toBe(2);
    });
  });
});
