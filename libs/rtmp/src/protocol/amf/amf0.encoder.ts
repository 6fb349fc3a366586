import { ByteWriter } from '../buffer/byte-writer';
import { AmfEncodeNesting } from './amf-encode-nesting';
import { AmfUnencodableError } from './amf-unencodable.error';
import {
  AmfDictionary,
  AmfDouble,
  AmfEcmaArray,
  AmfExternalizable,
  AmfTypedObject,
  AmfValue,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  isAmfObject,
} from './amf-value';
import { AMF0_MAX_LONG_STRING, AMF0_MAX_SHORT_STRING, Amf0Marker } from './amf0.constants';
import { Amf3Encoder } from './amf3.encoder';
import { AmfEncodeOptions, resolveMaxDepth } from './amf.options';
import { AmfMessages } from './amf.messages';

/**
 * Writes AMF0 values (AMF0 §2). JavaScript values map as in {@link AmfValue}: a number is a
 * number, a string a string (the long-string marker when its UTF-8 form passes 65,535 bytes), a
 * plain object an object, an array a strict array, a Date a date (time zone 0).
 *
 * Values AMF0 has no marker for (byte arrays, vectors, dictionaries, E4X XML, externalizable
 * wrappers) go out behind the AVM+ switch (0x11) as AMF3, each with its own AMF3 context and
 * without string or traits references, so any reader, whatever it thinks the AMF3 table scope
 * is, reads them the same. No AMF0 reference markers are written: values are trees, and a
 * cycle is refused with {@link AmfUnencodableError}, as is anything else AMF cannot carry.
 */
export class Amf0Encoder {
  private readonly writer = new ByteWriter();
  private readonly nesting: AmfEncodeNesting;

  constructor(private readonly options?: AmfEncodeOptions) {
    this.nesting = new AmfEncodeNesting(resolveMaxDepth(options));
  }

  toBuffer(): Buffer {
    return this.writer.toBuffer();
  }

  writeValue(value: unknown): this {
    const writer = this.writer;
    switch (typeof value) {
      case 'number':
        writer.u8(Amf0Marker.Number).f64(value);
        return this;
      case 'boolean':
        writer.u8(Amf0Marker.Boolean).u8(value ? 1 : 0);
        return this;
      case 'string':
        this.writeString(value);
        return this;
      case 'undefined':
        writer.u8(Amf0Marker.Undefined);
        return this;
      case 'object':
        if (value === null) {
          writer.u8(Amf0Marker.Null);
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

  private writeString(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    if (length <= AMF0_MAX_SHORT_STRING) {
      this.writer.u8(Amf0Marker.String).u16(length);
    } else {
      this.checkLongLength('long string length', length);
      this.writer.u8(Amf0Marker.LongString).u32(length);
    }
    this.writer.utf8(value);
  }

  private writeObjectValue(value: object): void {
    const writer = this.writer;
    if (value instanceof Date) {
      writer.u8(Amf0Marker.Date).f64(value.getTime()).i16(0);
    } else if (value instanceof AmfDouble) {
      writer.u8(Amf0Marker.Number).f64(value.value);
    } else if (value instanceof AmfXmlDocument) {
      const length = Buffer.byteLength(value.xml, 'utf8');
      this.checkLongLength('XML document length', length);
      writer.u8(Amf0Marker.XmlDocument).u32(length);
      writer.utf8(value.xml);
    } else if (
      value instanceof Uint8Array ||
      value instanceof AmfXml ||
      value instanceof AmfVector ||
      value instanceof AmfDictionary ||
      value instanceof AmfExternalizable
    ) {
      writer.u8(Amf0Marker.AvmPlus);
      new Amf3Encoder(
        { ...this.options, references: false },
        writer,
        this.nesting.level,
      ).writeValue(value);
    } else {
      this.nesting.enter(value);
      if (Array.isArray(value)) {
        const items = value as AmfValue[];
        writer.u8(Amf0Marker.StrictArray).u32(items.length);
        // A plain loop, not for..of: holes in a sparse array are written as undefined.
        for (let index = 0; index < items.length; index++) this.writeValue(items[index]);
      } else if (value instanceof AmfEcmaArray) {
        const keys = Object.keys(value);
        writer.u8(Amf0Marker.EcmaArray).u32(keys.length);
        this.writeProperties(value, keys);
      } else if (value instanceof AmfTypedObject) {
        writer.u8(Amf0Marker.TypedObject);
        this.writePropertyName(value.className);
        this.writeProperties(value.properties, Object.keys(value.properties));
      } else if (isAmfObject(value)) {
        writer.u8(Amf0Marker.Object);
        this.writeProperties(value, Object.keys(value));
      } else {
        const type = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new AmfUnencodableError(AmfMessages.unencodableType(type), { type });
      }
      this.nesting.leave(value);
    }
  }

  /** Properties, then the end marker: an empty name and 0x09. */
  private writeProperties(source: Readonly<Record<string, unknown>>, keys: string[]): void {
    for (const key of keys) {
      this.writePropertyName(key);
      this.writeValue(source[key]);
    }
    this.writer.u16(0).u8(Amf0Marker.ObjectEnd);
  }

  /** A property or class name: UTF-8 with a U16 length and no marker (AMF0 UTF-8). */
  private writePropertyName(name: string): void {
    const length = Buffer.byteLength(name, 'utf8');
    if (length > AMF0_MAX_SHORT_STRING) {
      throw new AmfUnencodableError(
        AmfMessages.encodeTooLong('property or class name length', length, AMF0_MAX_SHORT_STRING),
        { length },
      );
    }
    this.writer.u16(length);
    this.writer.utf8(name);
  }

  private checkLongLength(what: string, length: number): void {
    if (length > AMF0_MAX_LONG_STRING) {
      throw new AmfUnencodableError(AmfMessages.encodeTooLong(what, length, AMF0_MAX_LONG_STRING), {
        length,
      });
    }
  }
}

/** Encodes one value as AMF0. */
export function encodeAmf0(value: unknown, options?: AmfEncodeOptions): Buffer {
  return new Amf0Encoder(options).writeValue(value).toBuffer();
}

/** Encodes values one after another: the shape of a command or data message payload. */
export function encodeAmf0Values(values: readonly unknown[], options?: AmfEncodeOptions): Buffer {
  const encoder = new Amf0Encoder(options);
  for (const value of values) encoder.writeValue(value);
  return encoder.toBuffer();
}
