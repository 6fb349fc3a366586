import fc from 'fast-check';
import { RtmpError } from '../errors/rtmp-error';
import { decodeAmf0, decodeAmf0Values } from './amf0.decoder';
import { encodeAmf0, encodeAmf0Values } from './amf0.encoder';
import { decodeAmf3, decodeAmf3Values } from './amf3.decoder';
import { encodeAmf3 } from './amf3.encoder';
import { amf0Value, amf3Value, amfLikeBytes, mutated } from './testing/amf.arbitraries';

/** Passes when `decode` returns or throws an RtmpError; anything else fails the property. */
function valueOrRtmpError(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(RtmpError);
  }
}

describe('AMF properties', () => {
  it('AMF0: decode(encode(v)) equals v, and encodes back to the same bytes', () => {
    fc.assert(
      fc.property(amf0Value, (value) => {
        const bytes = encodeAmf0(value);
        const decoded = decodeAmf0(bytes);
        expect(decoded).toEqual(value);
        expect(encodeAmf0(decoded).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('AMF0: a sequence of values round-trips as a payload', () => {
    fc.assert(
      fc.property(fc.array(amf0Value, { maxLength: 4 }), (values) => {
        expect(decodeAmf0Values(encodeAmf0Values(values))).toEqual(values);
      }),
      { numRuns: 100 },
    );
  });

  it('AMF3: decode(encode(v)) equals v, and encodes back to the same bytes', () => {
    fc.assert(
      fc.property(amf3Value, fc.boolean(), (value, references) => {
        const bytes = encodeAmf3(value, { references });
        const decoded = decodeAmf3(bytes);
        expect(decoded).toEqual(value);
        expect(encodeAmf3(decoded, { references }).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  describe('arbitrary bytes give a value or an RtmpError, never another error', () => {
    const inputs = fc.oneof(
      amfLikeBytes,
      mutated(amf0Value.map((value) => encodeAmf0(value))),
      mutated(amf3Value.map((value) => encodeAmf3(value))),
    );

    it.each([
      ['decodeAmf0', decodeAmf0],
      ['decodeAmf0Values', decodeAmf0Values],
      ['decodeAmf3', decodeAmf3],
      ['decodeAmf3Values', decodeAmf3Values],
    ] as const)('%s', (_name, decode) => {
      fc.assert(
        fc.property(inputs, (bytes) => valueOrRtmpError(() => decode(bytes))),
        { numRuns: 500 },
      );
    });

    it('decodeAmf0 with a tiny maxDepth', () => {
      fc.assert(
        fc.property(inputs, fc.integer({ min: 0, max: 3 }), (bytes, maxDepth) =>
          valueOrRtmpError(() => decodeAmf0Values(bytes, { maxDepth })),
        ),
        { numRuns: 200 },
      );
    });
  });
});
