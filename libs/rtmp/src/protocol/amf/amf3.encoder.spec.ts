import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfUnencodableError } from './amf-unencodable.error';
import {
  AmfDouble,
  AmfEcmaArray,
  AmfObject,
  AmfTypedObject,
  AmfValue,
  AmfVector,
  AmfVectorType,
} from './amf-value';
import { decodeAmf3, decodeAmf3Values } from './amf3.decoder';
import { Amf3Encoder, encodeAmf3, encodeAmf3Values } from './amf3.encoder';
import { AMF3_FIXTURES } from './testing/amf3.fixtures';
import { expectRtmpError } from './testing/expect-rtmp-error';
import { hex, utf8Hex } from './testing/hex';

function encodedHex(value: unknown, references?: boolean): string {
  return encodeAmf3(value, references === undefined ? undefined : { references }).toString('hex');
}

describe('AMF3 encoder', () => {
  describe('fixtures from the spec', () => {
    it.each(AMF3_FIXTURES.map((fixture) => [fixture.name, fixture] as const))(
      'encodes %s',
      (_name, fixture) => {
        expect(encodedHex(fixture.value)).toBe(fixture.bytes.toString('hex'));
      },
    );

    it.each(AMF3_FIXTURES.map((fixture) => [fixture.name, fixture] as const))(
      'mirrors %s (encode, decode, encode again)',
      (_name, fixture) => {
        const decoded = decodeAmf3(encodeAmf3(fixture.value));
        expect(decoded).toEqual(fixture.value);
        expect(encodeAmf3(decoded).equals(fixture.bytes)).toBe(true);
      },
    );
  });

  describe('integer or double', () => {
    it.each([
      ['1.5', 1.5, '05'],
      ['-0', -0, '05'],
      ['2^28', 0x10000000, '05'],
      ['-2^28 - 1', -0x10000001, '05'],
      ['NaN', NaN, '05'],
      ['Infinity', Infinity, '05'],
      ['2^28 - 1', 0x0fffffff, '04'],
      ['-2^28', -0x10000000, '04'],
    ])('%s goes out with marker %s', (_name, value, marker) => {
      expect(encodedHex(value).slice(0, 2)).toBe(marker);
    });

    it('AmfDouble forces the double marker', () => {
      expect(encodedHex(new AmfDouble(1))).toBe('053ff0000000000000');
    });
  });

  describe('references', () => {
    it('writes a repeated string as a reference by default, inline with references off', () => {
      expect(encodedHex(['ab', 'ab'])).toBe('09050106056162' + '0600');
      expect(encodedHex(['ab', 'ab'], false)).toBe('09050106056162' + '06056162');
    });

    it('never writes the empty string as a reference', () => {
      expect(encodedHex(['', ''])).toBe('0905010601' + '0601');
    });

    it('writes the traits of a second anonymous object as a reference', () => {
      expect(encodedHex([{ a: 1 }, { a: 2 }])).toBe(
        hex('09 05 01 0a 0b 01 03 61 04 01 01 0a 01 00 04 02 01').toString('hex'),
      );
      expect(encodedHex([{ a: 1 }, { a: 2 }], false)).toBe(
        hex('09 05 01 0a 0b 01 03 61 04 01 01 0a 0b 01 03 61 04 02 01').toString('hex'),
      );
    });

    it('keeps different traits apart (class, sealed names, dynamic flag)', () => {
      const values = [
        new AmfTypedObject('A', { x: 1 }, { sealed: ['x'], dynamic: false }),
        new AmfTypedObject('A', { x: 1 }, { sealed: ['x'], dynamic: true }),
        new AmfTypedObject('A', { y: 1 }, { sealed: ['y'], dynamic: false }),
        new AmfTypedObject('B', { x: 1 }, { sealed: ['x'], dynamic: false }),
        new AmfTypedObject('A', { x: 2 }, { sealed: ['x'], dynamic: false }),
      ];
      const decoded = decodeAmf3(encodeAmf3(values));
      expect(decoded).toEqual(values);
    });

    it('one context spans the values of encodeAmf3Values', () => {
      const encoded = encodeAmf3Values(['ab', 'ab']);
      expect(encoded.toString('hex')).toBe('060561620600');
      expect(decodeAmf3Values(encoded)).toEqual(['ab', 'ab']);
    });

    it('writes a value that appears twice (not inside itself) twice, no object reference', () => {
      const shared = new AmfVector('int', [1]);
      expect(encodedHex([shared, shared])).toBe(
        hex('09 05 01', '0d 03 00 00000001', '0d 03 00 00000001').toString('hex'),
      );
    });
  });

  describe('JavaScript values', () => {
    it('writes a typed object without traits with every property sealed', () => {
      expect(encodedHex(new AmfTypedObject('P', { x: 1, y: 2 }))).toBe(
        hex('0a 23 03 50 03 78 03 79 04 01 04 02').toString('hex'),
      );
    });

    it('writes a missing sealed property as undefined', () => {
      const typed = new AmfTypedObject('P', {}, { sealed: ['x'], dynamic: false });
      expect(encodedHex(typed)).toBe(hex('0a 13 03 50 03 78 00').toString('hex'));
    });

    it('splits an ECMA array into a dense prefix and an associative part', () => {
      const array = new AmfEcmaArray({ a: 1, 0: 'x', 1: 'y', 3: 'z' });
      // Keys run 0, 1, 3, a: the dense run is 0 and 1; "3" and "a" are associative.
      expect(encodedHex(array, false)).toBe(
        hex('09 05 03 33 06 03 7a 03 61 04 01 01 06 03 78 06 03 79').toString('hex'),
      );
      expect(decodeAmf3(encodeAmf3(array))).toEqual(array);
    });

    it('writes an ECMA array with only dense keys as an array (it decodes as one)', () => {
      expect(decodeAmf3(encodeAmf3(new AmfEcmaArray({ 0: 'x' })))).toEqual(['x']);
    });

    it('writes holes of a sparse array as undefined', () => {
      const sparse: AmfValue[] = [];
      sparse[1] = true;
      expect(encodedHex(sparse)).toBe('0905010003');
    });

    it('writes a Date and a Uint8Array', () => {
      expect(encodedHex(new Date(0))).toBe('08010000000000000000');
      expect(encodedHex(new Uint8Array([1, 2]))).toBe('0c050102');
    });

    it('can be reused to append values', () => {
      expect(new Amf3Encoder().writeValue(true).writeValue(null).toBuffer().toString('hex')).toBe(
        '0301',
      );
    });
  });

  describe('unencodable values', () => {
    it.each([
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
      ['a bigint', BigInt(1)],
      ['a Map', new Map()],
      ['a class instance', new (class Point {})()],
    ])('refuses %s', (_name, value) => {
      expectRtmpError(
        () => encodeAmf3(value),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a cycle', () => {
      const cyclic: AmfObject = {};
      cyclic.self = [cyclic];
      expectRtmpError(
        () => encodeAmf3(cyclic),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a dynamic or associative property named "" (the empty name ends the list)', () => {
      expectRtmpError(
        () => encodeAmf3({ '': 1 }),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
      expectRtmpError(
        () => encodeAmf3(new AmfEcmaArray({ '': 1 })),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a property that is neither sealed nor allowed by dynamic traits', () => {
      const typed = new AmfTypedObject('P', { x: 1, extra: 2 }, { sealed: ['x'], dynamic: false });
      expectRtmpError(
        () => encodeAmf3(typed),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it.each([
      ['int', 0x80000000],
      ['int', 1.5],
      ['uint', -1],
      ['uint', 0x100000000],
      ['double', 'x'],
    ] as const)('refuses a vector of %s holding %s', (type, item) => {
      const vector = new AmfVector(type as AmfVectorType, [item as AmfValue]);
      expectRtmpError(
        () => encodeAmf3(vector),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses nesting deeper than maxDepth, without a stack overflow', () => {
      let deep: AmfValue = null;
      for (let level = 0; level < 10_000; level++) deep = { d: deep };
      expectRtmpError(
        () => encodeAmf3(deep),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
      expectRtmpError(
        () => encodeAmf3(deep, { maxDepth: 1e9 }),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a byte array too long for a U29 length', () => {
      // Not allocated: a fake Uint8Array whose length says 2^28.
      const huge = new Uint8Array(1);
      Object.defineProperty(huge, 'length', { value: 0x10000000 });
      expectRtmpError(
        () => encodeAmf3(huge),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });
  });

  it('a class name is a UTF-8-vr like any string', () => {
    expect(encodedHex(new AmfTypedObject('é', {}))).toBe(
      hex('0a 03 05', utf8Hex('é')).toString('hex'),
    );
  });
});
