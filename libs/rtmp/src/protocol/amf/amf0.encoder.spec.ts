import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfUnencodableError } from './amf-unencodable.error';
import {
  AmfDouble,
  AmfEcmaArray,
  AmfExternalizable,
  AmfObject,
  AmfTypedObject,
  AmfValue,
  AmfVector,
} from './amf-value';
import { decodeAmf0, decodeAmf0Values } from './amf0.decoder';
import { Amf0Encoder, encodeAmf0, encodeAmf0Values } from './amf0.encoder';
import { AMF0_FIXTURES } from './testing/amf0.fixtures';
import { expectRtmpError } from './testing/expect-rtmp-error';
import { hex, utf8Hex } from './testing/hex';

describe('AMF0 encoder', () => {
  describe('fixtures from the spec', () => {
    it.each(AMF0_FIXTURES.map((fixture) => [fixture.name, fixture] as const))(
      'encodes %s',
      (_name, fixture) => {
        expect(encodeAmf0(fixture.value).toString('hex')).toBe(fixture.bytes.toString('hex'));
      },
    );

    it.each(AMF0_FIXTURES.map((fixture) => [fixture.name, fixture] as const))(
      'mirrors %s (encode, decode, encode again)',
      (_name, fixture) => {
        const decoded = decodeAmf0(encodeAmf0(fixture.value));
        expect(decoded).toEqual(fixture.value);
        expect(encodeAmf0(decoded).equals(fixture.bytes)).toBe(true);
      },
    );
  });

  describe('string markers', () => {
    it('uses the short string marker up to 65,535 UTF-8 bytes', () => {
      const encoded = encodeAmf0('a'.repeat(0xffff));
      expect(encoded.subarray(0, 3).toString('hex')).toBe('02ffff');
      expect(encoded.length).toBe(3 + 0xffff);
    });

    it('switches to the long string marker on the UTF-8 length, not the character count', () => {
      // 0x8000 characters of 2 bytes each: 0x10000 bytes.
      const text = 'é'.repeat(0x8000);
      const encoded = encodeAmf0(text);
      expect(encoded.subarray(0, 5).toString('hex')).toBe('0c00010000');
      expect(decodeAmf0(encoded)).toBe(text);
    });
  });

  describe('JavaScript values', () => {
    it('writes the values of a command payload one after another', () => {
      expect(encodeAmf0Values(['connect', 1, null]).toString('hex')).toBe(
        hex('02 0007', utf8Hex('connect'), '00 3ff0000000000000 05').toString('hex'),
      );
    });

    it('writes holes of a sparse array as undefined', () => {
      const sparse: AmfValue[] = [];
      sparse[2] = 1;
      expect(decodeAmf0(encodeAmf0(sparse))).toEqual([undefined, undefined, 1]);
      expect(encodeAmf0(sparse).subarray(0, 7).toString('hex')).toBe('0a000000030606');
    });

    it('writes an object with no prototype as an object', () => {
      const bare = Object.create(null) as AmfObject;
      bare.a = true;
      expect(encodeAmf0(bare).toString('hex')).toBe('0300016101010000' + '09');
    });

    it('writes a "__proto__" own property as a property', () => {
      const value = decodeAmf0(hex('03 0009', utf8Hex('__proto__'), '05 0000 09'));
      expect(encodeAmf0(value).toString('hex')).toBe(
        hex('03 0009', utf8Hex('__proto__'), '05 0000 09').toString('hex'),
      );
    });

    it('writes a value that appears twice (not inside itself) twice, without references', () => {
      const shared = { a: 1 };
      const encoded = encodeAmf0([shared, shared]);
      expect(encoded.includes(0x07)).toBe(false);
      expect(decodeAmf0(encoded)).toEqual([{ a: 1 }, { a: 1 }]);
    });

    it('writes AmfDouble as a plain number', () => {
      expect(encodeAmf0(new AmfDouble(1)).toString('hex')).toBe('003ff0000000000000');
    });

    it('writes an AmfTypedObject with AMF3 traits as a plain typed object', () => {
      const typed = new AmfTypedObject('T', { x: 1 }, { sealed: ['x'], dynamic: false });
      expect(encodeAmf0(typed).toString('hex')).toBe(
        hex('10 0001 54 0001 78 00 3ff0000000000000 0000 09').toString('hex'),
      );
    });

    it('writes AmfEcmaArray keys in JavaScript order with their count', () => {
      const array = new AmfEcmaArray({ b: 1, 1: 'x' });
      expect(encodeAmf0(array).toString('hex')).toBe(
        hex('08 00000002 0001 31 02 0001 78 0001 62 00 3ff0000000000000 0000 09').toString('hex'),
      );
    });

    it('switches each AMF3-only value to AMF3 with no string references', () => {
      const vector = new AmfVector('object', ['ab', 'ab']);
      // Repeated "ab" is written inline twice, never as `06 00`.
      expect(encodeAmf0(vector).toString('hex')).toBe(
        hex('11 10 05 00 01 06 05 6162 06 05 6162').toString('hex'),
      );
    });

    it('writes an externalizable wrapper behind the AVM+ switch', () => {
      const wrapper = new AmfExternalizable('flex.messaging.io.ObjectProxy', { a: 1 });
      const decoded = decodeAmf0Values(encodeAmf0Values([wrapper, 'after']));
      expect(decoded).toEqual([wrapper, 'after']);
    });

    it('accepts a plain Uint8Array as a byte array', () => {
      expect(encodeAmf0(new Uint8Array([9])).toString('hex')).toBe('110c0309');
    });

    it('can be reused to append values', () => {
      const encoder = new Amf0Encoder().writeValue(null).writeValue(true);
      expect(encoder.toBuffer().toString('hex')).toBe('050101');
    });
  });

  describe('unencodable values', () => {
    it.each([
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
      ['a bigint', BigInt(1)],
      ['a Map', new Map()],
      ['a Set', new Set()],
      ['a class instance', new (class Point {})()],
      ['a function inside an object', { f: () => 1 }],
    ])('refuses %s', (_name, value) => {
      expectRtmpError(
        () => encodeAmf0(value),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a cycle', () => {
      const cyclic: AmfObject = {};
      cyclic.self = cyclic;
      expectRtmpError(
        () => encodeAmf0(cyclic),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
      const list: AmfValue[] = [];
      list.push([list]);
      expectRtmpError(
        () => encodeAmf0(list),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a cycle that passes through an AMF3 value', () => {
      const outer: AmfObject = {};
      const vector = new AmfVector('object', [outer]);
      outer.v = vector;
      expectRtmpError(
        () => encodeAmf0(outer),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses a property name longer than 65,535 UTF-8 bytes', () => {
      expectRtmpError(
        () => encodeAmf0({ ['k'.repeat(0x10000)]: 1 }),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });

    it('refuses nesting deeper than maxDepth, without a stack overflow', () => {
      let deep: AmfValue = null;
      for (let level = 0; level < 10_000; level++) deep = [deep];
      expectRtmpError(
        () => encodeAmf0(deep),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
      let shallow: AmfValue = null;
      for (let level = 0; level < 3; level++) shallow = [shallow];
      expect(() => encodeAmf0(shallow, { maxDepth: 3 })).not.toThrow();
      expectRtmpError(
        () => encodeAmf0(shallow, { maxDepth: 2 }),
        AmfUnencodableError,
        RtmpErrorCode.AmfUnencodable,
        false,
      );
    });
  });
});
