/**
 * The values AMF0 and AMF3 decode to and encode from.
 *
 * The common cases are plain JavaScript: numbers, booleans, strings, `null`, `undefined`, `Date`,
 * plain objects (AMF0 object, AMF3 anonymous dynamic object) and arrays (AMF0 strict array, AMF3
 * dense array), so a decoded connect command object reads as `obj.app`. Everything that must keep
 * its wire type to round-trip is a small class of its own, told apart with `instanceof`.
 *
 * Decoding never yields `AmfDouble`; it exists so a caller can force the AMF3 double marker.
 */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Buffer
  | AmfValue[]
  | AmfObject
  | AmfEcmaArray
  | AmfTypedObject
  | AmfXmlDocument
  | AmfXml
  | AmfVector
  | AmfDictionary
  | AmfExternalizable
  | AmfDouble;

/** An anonymous object: AMF0 object marker; AMF3 object without class name or sealed members. */
export interface AmfObject {
  [key: string]: AmfValue;
}

/**
 * An AMF0 ECMA array (associative array), kept apart from a plain object so it encodes back with
 * its own marker: onMetaData is usually one. Its properties are its own enumerable properties, so
 * `meta.width` reads like an object; it has no methods, so no key can shadow one.
 *
 * Key order is JavaScript's: integer-like keys come first, in ascending order, then the rest in
 * insertion order. In AMF3 an array with an associative part decodes to this class, its dense
 * items under the keys "0".."n-1".
 */
export class AmfEcmaArray {
  [key: string]: AmfValue;

  constructor(properties?: Readonly<Record<string, AmfValue>>) {
    if (properties !== undefined) {
      for (const key of Object.keys(properties)) setAmfProperty(this, key, properties[key]);
    }
  }
}

/** AMF3 traits that a typed object keeps so it re-encodes with the same layout. */
export interface AmfTraits {
  /** Sealed member names, in wire order. Their values live in `properties`. */
  readonly sealed: readonly string[];
  /** Whether properties beyond the sealed ones are allowed (written as dynamic members). */
  readonly dynamic: boolean;
}

/**
 * An object with a class name (AMF0 typed object, AMF3 object with traits). `traits` is only set
 * by the AMF3 decoder; without it the AMF3 encoder seals every property, in key order.
 */
export class AmfTypedObject {
  constructor(
    readonly className: string,
    readonly properties: AmfObject = {},
    readonly traits?: AmfTraits,
  ) {}
}

/** An XML document (AMF0 0x0F, AMF3 0x07 legacy XMLDocument), kept apart from plain strings. */
export class AmfXmlDocument {
  constructor(readonly xml: string) {}
}

/** An AMF3 E4X XML value (0x0B). In AMF0 it travels behind the AVM+ switch. */
export class AmfXml {
  constructor(readonly xml: string) {}
}

export type AmfVectorType = 'int' | 'uint' | 'double' | 'object';

/**
 * An AMF3 vector. `int` items are signed 32-bit, `uint` unsigned 32-bit, `double` any number;
 * `object` items are any value and carry the element type name (`objectTypeName`, often "" or "*").
 */
export class AmfVector {
  constructor(
    readonly type: AmfVectorType,
    readonly items: AmfValue[],
    readonly fixed = false,
    readonly objectTypeName = '',
  ) {}
}

/** An AMF3 dictionary: any value may be a key. */
export class AmfDictionary {
  constructor(
    readonly entries: Map<AmfValue, AmfValue> = new Map(),
    readonly weakKeys = false,
  ) {}
}

/**
 * An AMF3 externalizable object whose body is one AMF3 value. Only the Flex wrappers
 * `flex.messaging.io.ArrayCollection` and `flex.messaging.io.ObjectProxy` are decoded (their
 * body is known); any other externalizable class writes a private format and fails to decode.
 * `value` is set after construction because the body may refer back to the wrapper.
 */
export class AmfExternalizable {
  constructor(
    readonly className: string,
    public value: AmfValue = undefined,
  ) {}
}

/** Forces the AMF3 double marker for a number that would otherwise go out as an integer. */
export class AmfDouble {
  constructor(readonly value: number) {}
}

/**
 * Sets `key` on `target` as an own enumerable property. A plain assignment of "__proto__" would
 * replace the object's prototype instead, so that key is defined explicitly.
 */
export function setAmfProperty(target: object, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    (target as Record<string, AmfValue>)[key] = value;
  }
}

/**
 * Whether `value` is an anonymous object: a plain object or an {@link AmfEcmaArray}, the two
 * shapes E-RTMP says a reader should accept wherever an object is expected.
 */
export function isAmfObject(value: unknown): value is AmfObject {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof AmfEcmaArray) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
