import fc from 'fast-check';
import {
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfObject,
  AmfTypedObject,
  AmfValue,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  setAmfProperty,
} from '../amf-value';

/**
 * fast-check arbitraries for AMF values that survive a round trip unchanged, so a property can
 * say `decode(encode(v))` equals `v`. Where a wire format cannot tell two values apart, the
 * arbitrary sticks to the form the decoder gives back (AMF3 typed objects always carry traits,
 * AMF3 ECMA arrays always have a key that is not an array index, and so on).
 */

const text = fc.string({ unit: 'binary', maxLength: 10 });
/** Property names, with the ones that trip naive object code. */
const anyKey = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '1', '10', ''),
);
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
/** AMF3 dynamic and associative names: "" ends the list, so it cannot be one. */
const dynamicKey = anyKey.filter((key) => key !== '');
const associativeKey = dynamicKey.filter((key) => !ARRAY_INDEX.test(key));
const validDate = fc.date({ noInvalidDate: true });
const bytes = fc.uint8Array({ maxLength: 8 }).map((array) => Buffer.from(array));

/** Builds an object with own properties for every pair, "__proto__" included. */
function record(pairs: readonly (readonly [string, AmfValue])[]): AmfObject {
  const result: AmfObject = {};
  for (const [key, value] of pairs) setAmfProperty(result, key, value);
  return result;
}

function pairs(
  key: fc.Arbitrary<string>,
  value: fc.Arbitrary<AmfValue>,
  minLength = 0,
): fc.Arbitrary<[string, AmfValue][]> {
  return fc.uniqueArray(fc.tuple(key, value), {
    minLength,
    maxLength: 4,
    selector: ([name]) => name,
  });
}

const amf3Tree = fc.letrec<{
  value: AmfValue;
  container: AmfValue;
  amf3Only: AmfValue;
}>((tie) => {
  const value = tie('value');
  return {
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(
        fc.double(),
        fc.integer({ min: -0x10000000, max: 0x0fffffff }),
        fc.boolean(),
        text,
        fc.constant(null),
        fc.constant(undefined),
        validDate,
        text.map((xml) => new AmfXmlDocument(xml)),
      ),
      tie('container'),
    ),
    container: fc.oneof(
      fc.array(value, { maxLength: 4 }),
      pairs(dynamicKey, value).map(record),
      fc
        .tuple(fc.array(value, { maxLength: 3 }), pairs(associativeKey, value, 1))
        .map(([dense, associative]) => {
          const array = new AmfEcmaArray();
          dense.forEach((item, index) => setAmfProperty(array, String(index), item));
          for (const [key, item] of associative) setAmfProperty(array, key, item);
          return array;
        }),
      fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 6 }),
          fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 3 }),
          fc.boolean(),
          pairs(dynamicKey, value),
          fc.array(value, { minLength: 3, maxLength: 3 }),
        )
        .map(([className, sealed, dynamic, extra, sealedValues]) => {
          const properties = record(sealed.map((name, index) => [name, sealedValues[index]]));
          if (dynamic) {
            for (const [key, item] of extra)
              if (!sealed.includes(key)) setAmfProperty(properties, key, item);
          }
          return new AmfTypedObject(className, properties, { sealed, dynamic });
        }),
      tie('amf3Only'),
    ),
    amf3Only: fc.oneof(
      bytes,
      text.map((xml) => new AmfXml(xml)),
      fc
        .array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { maxLength: 4 })
        .map((items) => new AmfVector('int', items)),
      fc
        .array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 4 })
        .map((items) => new AmfVector('uint', items, true)),
      fc.array(fc.double(), { maxLength: 4 }).map((items) => new AmfVector('double', items)),
      fc
        .tuple(fc.string({ maxLength: 4 }), fc.array(value, { maxLength: 3 }), fc.boolean())
        .map(([typeName, items, fixed]) => new AmfVector('object', items, fixed, typeName)),
      fc
        .tuple(
          fc.uniqueArray(fc.tuple(fc.oneof(text, fc.integer(), fc.boolean()), value), {
            maxLength: 3,
            selector: ([key]) => key,
          }),
          fc.boolean(),
        )
        .map(([entries, weak]) => new AmfDictionary(new Map(entries), weak)),
      fc
        .array(value, { maxLength: 3 })
        .map((items) => new AmfExternalizable('flex.messaging.io.ArrayCollection', items)),
      pairs(dynamicKey, value)
        .map(record)
        .map((object) => new AmfExternalizable('flex.messaging.io.ObjectProxy', object)),
    ),
  };
});

/** Any AMF3 value that round-trips through `encodeAmf3` / `decodeAmf3`. */
export const amf3Value: fc.Arbitrary<AmfValue> = amf3Tree.value;

/** AMF3-only values, as the AMF0 encoder sends them behind the AVM+ switch. */
const amf3OnlyValue: fc.Arbitrary<AmfValue> = amf3Tree.amf3Only;

const amf0Tree = fc.letrec<{ value: AmfValue; container: AmfValue }>((tie) => {
  const value = tie('value');
  return {
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(
        fc.double(),
        fc.boolean(),
        text,
        fc.constant(null),
        fc.constant(undefined),
        validDate,
        text.map((xml) => new AmfXmlDocument(xml)),
      ),
      tie('container'),
    ),
    container: fc.oneof(
      pairs(anyKey, value).map(record),
      pairs(anyKey, value).map((entries) => new AmfEcmaArray(record(entries))),
      fc.array(value, { maxLength: 4 }),
      fc
        .tuple(fc.string({ maxLength: 6 }), pairs(anyKey, value))
        .map(([className, entries]) => new AmfTypedObject(className, record(entries))),
      amf3OnlyValue,
    ),
  };
});

/** Any AMF0 value that round-trips through `encodeAmf0` / `decodeAmf0`. */
export const amf0Value: fc.Arbitrary<AmfValue> = amf0Tree.value;

/** Bytes that lean towards AMF markers, so random input gets past the first byte more often. */
export const amfLikeBytes: fc.Arbitrary<Buffer> = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0x12 }), fc.integer({ min: 0, max: 0xff })), {
    maxLength: 48,
  })
  .map((values) => Buffer.from(values));

/** A valid encoding with a few bytes overwritten and possibly cut short. */
export function mutated(encodings: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      encodings,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0xff })), { maxLength: 3 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([encoded, edits, cut]) => {
      const copy = Buffer.from(encoded);
      if (copy.length > 0) for (const [at, byte] of edits) copy[at % copy.length] = byte;
      return cut === undefined || copy.length === 0
        ? copy
        : copy.subarray(0, cut % (copy.length + 1));
    });
}
