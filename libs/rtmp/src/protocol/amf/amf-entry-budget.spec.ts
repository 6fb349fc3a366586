import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { AmfTooManyEntriesError } from './amf-too-many-entries.error';
import { AmfDictionary, AmfVector } from './amf-value';
import { decodeAmf0, decodeAmf0Values } from './amf0.decoder';
import { encodeAmf0, encodeAmf0Values } from './amf0.encoder';
import { Amf0Marker } from './amf0.constants';
import { decodeAmf3 } from './amf3.decoder';
import { encodeAmf3 } from './amf3.encoder';
import { expectRtmpError } from './testing/expect-rtmp-error';

/** An object with `count` one-letter-ish properties, each null: a few bytes each on the wire. */
function wideObject(count: number): Record<string, null> {
  const object: Record<string, null> = {};
  for (let i = 0; i < count; i++) object[`p${i}`] = null;
  return object;
}

const tooMany = (action: () => unknown): void => {
  expectRtmpError(action, AmfTooManyEntriesError, RtmpErrorCode.AmfTooManyEntries, true);
};

describe('AMF entry budget (maxEntries)', () => {
  it('decodes an AMF0 object with as many properties as allowed, and refuses one more', () => {
    expect(Object.keys(decodeAmf0(encodeAmf0(wideObject(256))) as object)).toHaveLength(256);
    tooMany(() => decodeAmf0(encodeAmf0(wideObject(257))));
    expect(() => decodeAmf0(encodeAmf0(wideObject(11)), { maxEntries: 10 })).toThrow(
      AmfTooManyEntriesError,
    );
  });

  it('counts every value of a payload together (a command is one payload)', () => {
    const payload = encodeAmf0Values(['connect', 1, wideObject(3000), wideObject(3000)]);
    tooMany(() => decodeAmf0Values(payload));
    expect(decodeAmf0Values(payload, { maxEntries: 6000 })).toHaveLength(4);
  });

  it('refuses an AMF0 strict array by its count, before building it', () => {
    const items = new Array<null>(5000).fill(null);
    tooMany(() => decodeAmf0(encodeAmf0(items)));
  });

  it('shares the budget with AMF3 values switched into from AMF0 (AVM+)', () => {
    const amf3 = encodeAmf3(new Array<null>(3000).fill(null));
    const payload = Buffer.concat([
      encodeAmf0(wideObject(3000)),
      Buffer.from([Amf0Marker.AvmPlus]),
      amf3,
    ]);
    tooMany(() => decodeAmf0Values(payload));
    expect(decodeAmf0Values(payload, { maxEntries: 6000 })).toHaveLength(2);
  });

  it.each([
    ['a dense array', new Array<null>(5000).fill(null)],
    ['an anonymous object', wideObject(5000)],
    ['a vector of int', new AmfVector('int', new Array<number>(5000).fill(1), false)],
    ['a vector of object', new AmfVector('object', new Array<null>(5000).fill(null), false, '')],
    [
      'a dictionary',
      new AmfDictionary(new Map(Array.from({ length: 5000 }, (_, i) => [i, null])), false),
    ],
  ])('refuses AMF3 %s past the budget', (_what, value) => {
    const bytes = encodeAmf3(value);
    tooMany(() => decodeAmf3(bytes));
    expect(() => decodeAmf3(bytes, { maxEntries: 5000 })).not.toThrow();
  });
});
