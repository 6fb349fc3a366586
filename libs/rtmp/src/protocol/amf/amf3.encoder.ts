import { ByteWriter } from '../buffer/byte-writer';
import { AmfEncodeNesting } from './amf-encode-nesting';
import { AmfUnencodableError } from './amf-unencodable.error';
import {
  AmfDictionary,
  AmfDouble,
  AmfEcmaArray,
  AmfExternalizable,
  AmfObject,
  AmfTraits,
  AmfTypedObject,
  AmfValue,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  isAmfObject,
} from './amf-value';
import {
  AMF3_MAX_INT,
  AMF3_MAX_LENGTH,
  AMF3_MAX_SEALED_MEMBERS,
  AMF3_MIN_INT,
  Amf3Marker,
} from './amf3.constants';
import { writeU29 } from './amf3-u29';
import { AmfEncodeOptions, resolveMaxDepth } from './amf.options';
import { AmfMessages } from './amf.messages';

export interface Amf3EncodeOptions extends AmfEncodeOptions {
  /**
   * Write repeated strings and traits as references (default true). Objects are never written
   * as references: a value is written as a tree, and cycles are refused.
   */
  readonly references?: boolean;
}

/**
 * AMF3 object header flags (AMF3 §3.12), low bit first: inline object, inline traits,
 * externalizable, dynamic.
 */
const TRAITS_INLINE = 0b011;
const TRAITS_EXTERNALIZABLE = 0b111;
const TRAITS_DYNAMIC = 0b1000;
const ANONYMOUS_DYNAMIC: AmfTraits = { sealed: [], dynamic: true };

/**
 * Writes AMF3 values (AMF3 §3). One instance is one AMF3 context: with references on, a string
 * or traits seen earlier in the same context is written as a reference to it.
 *
 * JavaScript values map as in {@link AmfValue}: integral numbers in the 29-bit range go out as
 * integers, other numbers (and -0) as doubles, `AmfDouble` always as a double; a `Uint8Array`
 * (so a Buffer) as a byte array; a plain object as an anonymous dynamic object; an array as a
 * dense array; an {@link AmfEcmaArray} as an array whose keys "0".."n-1" form the dense part and
 * whose other keys form the associative part. Anything else fails with
 * {@link AmfUnencodableError}, as do cycles and nesting deeper than `maxDepth`.
 */
export class Amf3Encoder {
  private readonly writer: ByteWriter;
  private readonly nesting: AmfEncodeNesting;
  private readonly references: boolean;
  private readonly strings = new Map<string, number>();
  private readonly traits = new Map<string, number>();

  /**
   * @param writer when given, values are appended to it (an AMF0 encoder's AVM+ switch).
   * @param depth nesting already entered by an enclosing AMF0 encoder.
   */
  constructor(options?: Amf3EncodeOptions, writer?: ByteWriter, depth = 0) {
    this.writer = writer ?? new ByteWriter();
    this.nesting = new AmfEncodeNesting(resolveMaxDepth(options), depth);
    this.references = options?.references ?? true;
  }

  toBuffer(): Buffer {
    return this.writer.toBuffer();
  }

  writeValue(value: unknown): this {
    const writer = this.writer;
    switch (typeof value) {
      case 'number':
        this.writeNumber(value);
        return this;
      case 'boolean':
        writer.u8(value ? Amf3Marker.True : Amf3Marker.False);
        return this;
      case 'string':
        writer.u8(Amf3Marker.String);
        this.writeString(value);
        return this;
      case 'undefined':
        writer.u8(Amf3Marker.Undefined);
        return this;
      case 'object':
        if (value === null) {
          writer.u8(Amf3Marker.Null);
          return this;
        }
        this.writeObjectValue(value);
        return this;
      default:
        throw new AmfUnencodableError(AmfMessages.unencodableType(typeof value), {
          type: typeof value,
        });
    }
  }

  private writeNumber(value: number): void {
    if (
      Number.isInteger(value) &&
      value >= AMF3_MIN_INT &&
      value <= AMF3_MAX_INT &&
      !Object.is(value, -0)
    ) {
      this.writer.u8(Amf3Marker.Integer);
      writeU29(this.writer, value & 0x1fffffff);
    } else {
      this.writer.u8(Amf3Marker.Double).f64(value);
    }
  }

  private writeObjectValue(value: object): void {
    const writer = this.writer;
    if (value instanceof Date) {
      writer.u8(Amf3Marker.Date);
      writeU29(writer, 1);
      writer.f64(value.getTime());
    } else if (value instanceof Uint8Array) {
      writer.u8(Amf3Marker.ByteArray);
      this.writeLengthHeader('byte array length', value.length);
      writer.bytes(value);
    } else if (value instanceof AmfDouble) {
      writer.u8(Amf3Marker.Double).f64(value.value);
    } else if (value instanceof AmfXmlDocument) {
      writer.u8(Amf3Marker.XmlDocument);
      this.writeUtf8WithHeader(value.xml, 'XML document length');
    } else if (value instanceof AmfXml) {
      writer.u8(Amf3Marker.Xml);
      this.writeUtf8WithHeader(value.xml, 'XML length');
    } else {
      this.nesting.enter(value);
      if (Array.isArray(value)) {
        this.writeDenseArray(value as AmfValue[]);
      } else if (value instanceof AmfEcmaArray) {
        this.writeMixedArray(value);
      } else if (value instanceof AmfTypedObject) {
        this.writeObject(
          value.className,
          value.properties,
          value.traits ?? sealAll(value.properties),
        );
      } else if (value instanceof AmfVector) {
        this.writeVector(value);
      } else if (value instanceof AmfDictionary) {
        this.writeDictionary(value);
      } else if (value instanceof AmfExternalizable) {
        writer.u8(Amf3Marker.Object);
        this.writeTraitsHeader('e', value.className, [], TRAITS_EXTERNALIZABLE, true);
        this.writeValue(value.value);
      } else if (isAmfObject(value)) {
        this.writeObject('', value, ANONYMOUS_DYNAMIC);
      } else {
        const type = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new AmfUnencodableError(AmfMessages.unencodableType(type), { type });
      }
      this.nesting.leave(value);
    }
  }

  private writeDenseArray(items: AmfValue[]): void {
    this.writer.u8(Amf3Marker.Array);
    this.writeLengthHeader('array length', items.length);
    writeU29(this.writer, 1); // no associative part
    // A plain loop, not for..of: holes in a sparse array are written as undefined.
    for (let index = 0; index < items.length; index++) this.writeValue(items[index]);
  }

  private writeMixedArray(array: AmfEcmaArray): void {
    const keys = Object.keys(array);
    // Integer-like keys come first in ascending order, so the dense run is a prefix.
    let denseCount = 0;
    while (denseCount < keys.length && keys[denseCount] === String(denseCount)) denseCount++;
    this.writer.u8(Amf3Marker.Array);
    this.writeLengthHeader('array length', denseCount);
    for (let index = denseCount; index < keys.length; index++) {
      this.writeDynamicName(keys[index]);
      this.writeValue(array[keys[index]]);
    }
    writeU29(this.writer, 1);
    for (let index = 0; index < denseCount; index++) this.writeValue(array[keys[index]]);
  }

  private writeObject(className: string, properties: AmfObject, traits: AmfTraits): void {
    this.writer.u8(Amf3Marker.Object);
    const { sealed, dynamic } = traits;
    if (sealed.length > AMF3_MAX_SEALED_MEMBERS) {
      throw new AmfUnencodableError(
        AmfMessages.encodeTooLong('sealed member count', sealed.length, AMF3_MAX_SEALED_MEMBERS),
      );
    }
    const flags = (sealed.length << 4) | (dynamic ? TRAITS_DYNAMIC : 0) | TRAITS_INLINE;
    this.writeTraitsHeader(dynamic ? 'd' : 's', className, sealed, flags, false);
    for (const name of sealed) this.writeValue(properties[name]);
    const sealedNames = sealed.length === 0 ? undefined : new Set(sealed);
    for (const key of Object.keys(properties)) {
      if (sealedNames?.has(key)) continue;
      if (!dynamic) {
        throw new AmfUnencodableError(AmfMessages.encodeUndeclaredProperty(className, key), {
          className,
          key,
        });
      }
      this.writeDynamicName(key);
      this.writeValue(properties[key]);
    }
    if (dynamic) writeU29(this.writer, 1);
  }

  /** Writes inline traits, or a reference to identical traits written earlier in this context. */
  private writeTraitsHeader(
    kind: string,
    className: string,
    sealed: readonly string[],
    flags: number,
    externalizable: boolean,
  ): void {
    const key = this.references ? JSON.stringify([kind, className, ...sealed]) : '';
    const index = this.references ? this.traits.get(key) : undefined;
    if (index !== undefined) {
      // Traits reference: low bits 01 (inline object, referenced traits).
      writeU29(this.writer, (index << 2) | 1);
      return;
    }
    writeU29(this.writer, flags);
    this.writeString(className);
    if (!externalizable) for (const name of sealed) this.writeString(name);
    if (this.references && this.traits.size < AMF3_MAX_LENGTH >>> 1) {
      this.traits.set(key, this.traits.size);
    }
  }

  private writeVector(vector: AmfVector): void {
    const writer = this.writer;
    const { items, type } = vector;
    const marker =
      type === 'int'
        ? Amf3Marker.VectorInt
        : type === 'uint'
          ? Amf3Marker.VectorUint
          : type === 'double'
            ? Amf3Marker.VectorDouble
            : Amf3Marker.VectorObject;
    writer.u8(marker);
    this.writeLengthHeader('vector length', items.length);
    writer.u8(vector.fixed ? 1 : 0);
    if (type === 'object') {
      this.writeString(vector.objectTypeName);
      for (let index = 0; index < items.length; index++) this.writeValue(items[index]);
      return;
    }
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      if (typeof item !== 'number' || !fitsVector(type, item)) {
        throw new AmfUnencodableError(AmfMessages.encodeBadVectorItem(type, index), {
          type,
          index,
        });
      }
      if (type === 'int') writer.i32(item);
      else if (type === 'uint') writer.u32(item);
      else writer.f64(item);
    }
  }

  private writeDictionary(dictionary: AmfDictionary): void {
    this.writer.u8(Amf3Marker.Dictionary);
    this.writeLengthHeader('dictionary size', dictionary.entries.size);
    this.writer.u8(dictionary.weakKeys ? 1 : 0);
    for (const [key, entry] of dictionary.entries) {
      this.writeValue(key);
      this.writeValue(entry);
    }
  }

  /** UTF-8-vr: "" inline as a lone 01, a repeat as a reference, anything else inline. */
  private writeString(value: string): void {
    if (value === '') {
      writeU29(this.writer, 1);
      return;
    }
    if (this.references) {
      const index = this.strings.get(value);
      if (index !== undefined) {
        writeU29(this.writer, index << 1);
        return;
      }
    }
    this.writeUtf8WithHeader(value, 'string length');
    if (this.references && this.strings.size < AMF3_MAX_LENGTH) {
      this.strings.set(value, this.strings.size);
    }
  }

  private writeDynamicName(key: string): void {
    if (key === '') throw new AmfUnencodableError(AmfMessages.encodeEmptyDynamicKey());
    this.writeString(key);
  }

  private writeUtf8WithHeader(text: string, what: string): void {
    this.writeLengthHeader(what, Buffer.byteLength(text, 'utf8'));
    this.writer.utf8(text);
  }

  /** An inline header: length (or count) shifted left, low bit 1. */
  private writeLengthHeader(what: string, length: number): void {
    if (length > AMF3_MAX_LENGTH) {
      throw new AmfUnencodableError(AmfMessages.encodeTooLong(what, length, AMF3_MAX_LENGTH), {
        length,
      });
    }
    writeU29(this.writer, (length << 1) | 1);
  }
}

function sealAll(properties: AmfObject): AmfTraits {
  return { sealed: Object.keys(properties), dynamic: false };
}

function fitsVector(type: 'int' | 'uint' | 'double', item: number): boolean {
  if (type === 'double') return true;
  if (!Number.isInteger(item)) return false;
  return type === 'int'
    ? item >= -0x80000000 && item <= 0x7fffffff
    : item >= 0 && item <= 0xffffffff;
}

/** Encodes one value as AMF3 in a fresh context. */
export function encodeAmf3(value: unknown, options?: Amf3EncodeOptions): Buffer {
  return new Amf3Encoder(options).writeValue(value).toBuffer();
}

/** Encodes values one after another in one AMF3 context (references may span them). */
export function encodeAmf3Values(values: readonly unknown[], options?: Amf3EncodeOptions): Buffer {
  const encoder = new Amf3Encoder(options);
  for (const value of values) encoder.writeValue(value);
  return encoder.toBuffer();
}
