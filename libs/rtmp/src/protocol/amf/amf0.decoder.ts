import { ByteReader } from '../buffer/byte-reader';
import { AmfBadReferenceError } from './amf-bad-reference.error';
import { AmfMalformedError } from './amf-malformed.error';
import { AmfTooDeepError } from './amf-too-deep.error';
import { AmfTooLargeError } from './amf-too-large.error';
import { AmfUnknownMarkerError } from './amf-unknown-marker.error';
import {
  AmfEcmaArray,
  AmfObject,
  AmfTypedObject,
  AmfValue,
  AmfXmlDocument,
  setAmfProperty,
} from './amf-value';
import { Amf0Marker } from './amf0.constants';
import { Amf3Decoder } from './amf3.decoder';
import { AmfEntryBudget } from './amf-entry-budget';
import { AmfDecodeOptions, entryBudgetFor, resolveMaxDepth } from './amf.options';
import { AmfMessages } from './amf.messages';

/**
 * Reads AMF0 values (AMF0 §2) one after another from a buffer. One instance is one AMF0
 * context: its reference table (objects, typed objects, ECMA arrays and strict arrays, in the
 * order they open) spans every value read through it, which for RTMP is one message payload.
 *
 * Choices where the spec leaves room:
 * - ECMA array: the U32 count is a hint and is ignored; properties run to the `00 00 09` end.
 *   If the input ends exactly where the next property name would start, the array ends there
 *   too (a missing end marker at the very end of a payload is tolerated, nothing else is).
 * - An empty property name followed by anything but the object-end marker is a property named
 *   "" (that is what the grammar says), not an error.
 * - Unsupported (0x0D) decodes to `undefined`: the sender had nothing to say about the value.
 * - Movieclip (0x04) and recordset (0x0E) are reserved: {@link AmfUnknownMarkerError}.
 * - AVM+ (0x11): the next value is AMF3, read with fresh AMF3 reference tables for each switch.
 *   E-RTMP v2 says the switch "isn't sticky" and applies to one value; giving each switched
 *   value its own context keeps values independent, and our encoder writes switched values
 *   without references, so its output reads the same under either reading of the spec.
 *   AMF3 values never enter the AMF0 reference table.
 * - The time zone of a date is read and dropped (the spec says it should be 0).
 */
export class Amf0Decoder {
  private readonly reader: ByteReader;
  private readonly maxDepth: number;
  private readonly entries: AmfEntryBudget;
  private readonly references: AmfValue[] = [];
  private depth = 0;

  constructor(buffer: Buffer, options?: AmfDecodeOptions, start = 0) {
    this.reader = new ByteReader(buffer, 'AMF0 value', start);
    this.maxDepth = resolveMaxDepth(options);
    this.entries = entryBudgetFor(options);
  }

  get atEnd(): boolean {
    return this.reader.atEnd;
  }

  get offset(): number {
    return this.reader.offset;
  }

  get remaining(): number {
    return this.reader.remaining;
  }

  readValue(): AmfValue {
    const reader = this.reader;
    const offset = reader.offset;
    const marker = reader.u8();
    switch (marker) {
      case Amf0Marker.Number:
        return reader.f64();
      case Amf0Marker.Boolean:
        return reader.u8() !== 0;
      case Amf0Marker.String:
        return reader.utf8(reader.u16());
      case Amf0Marker.Object: {
        const object: AmfObject = {};
        this.references.push(object);
        this.readProperties(object, false, offset);
        return object;
      }
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported:
        return undefined;
      case Amf0Marker.Reference: {
        const index = reader.u16();
        if (index >= this.references.length) {
          throw new AmfBadReferenceError('AMF0 object', index, this.references.length, offset);
        }
        return this.references[index];
      }
      case Amf0Marker.EcmaArray: {
        reader.u32(); // count hint, see the class comment
        const array = new AmfEcmaArray();
        this.references.push(array);
        this.readProperties(array, true, offset);
        return array;
      }
      case Amf0Marker.ObjectEnd:
        throw new AmfMalformedError(AmfMessages.objectEndOutOfPlace(offset), { offset });
      case Amf0Marker.StrictArray:
        return this.readStrictArray(offset);
      case Amf0Marker.Date: {
        const time = reader.f64();
        reader.i16(); // time zone
        return new Date(time);
      }
      case Amf0Marker.LongString:
        return reader.utf8(reader.u32());
      case Amf0Marker.XmlDocument:
        return new AmfXmlDocument(reader.utf8(reader.u32()));
      case Amf0Marker.TypedObject: {
        const className = reader.utf8(reader.u16());
        const typed = new AmfTypedObject(className, {});
        this.references.push(typed);
        this.readProperties(typed.properties, false, offset);
        return typed;
      }
      case Amf0Marker.AvmPlus:
        return new Amf3Decoder(reader, this.maxDepth, this.depth, this.entries).readValue();
      case Amf0Marker.MovieClip:
      case Amf0Marker.RecordSet:
        throw new AmfUnknownMarkerError('AMF0', marker, offset, true);
      default:
        throw new AmfUnknownMarkerError('AMF0', marker, offset);
    }
  }

  /** Reads every value left, in this one context. */
  readAll(): AmfValue[] {
    const values: AmfValue[] = [];
    while (!this.reader.atEnd) values.push(this.readValue());
    return values;
  }

  private readProperties(target: object, endMayBeMissing: boolean, offset: number): void {
    const reader = this.reader;
    this.enter(offset);
    for (;;) {
      if (endMayBeMissing && reader.atEnd) break;
      const key = reader.utf8(reader.u16());
      if (key === '' && reader.peekU8() === Amf0Marker.ObjectEnd) {
        reader.skip(1);
        break;
      }
      this.entries.take(1, reader.offset);
      setAmfProperty(target, key, this.readValue());
    }
    this.depth--;
  }

  private readStrictArray(offset: number): AmfValue[] {
    const reader = this.reader;
    const count = reader.u32();
    // Every value takes at least its marker byte, so a count above the bytes left is a lie;
    // refusing it here means nothing is ever sized by an untrusted count.
    if (count > reader.remaining) {
      throw new AmfTooLargeError('AMF0 strict array', count, count, reader.remaining, offset);
    }
    this.entries.take(count, offset);
    const items: AmfValue[] = [];
    this.references.push(items);
    this.enter(offset);
    for (let index = 0; index < count; index++) items.push(this.readValue());
    this.depth--;
    return items;
  }

  private enter(offset: number): void {
    if (this.depth >= this.maxDepth) throw new AmfTooDeepError('AMF0', this.maxDepth, offset);
    this.depth++;
  }
}

/**
 * Decodes exactly one AMF0 value filling `buffer`. Bytes left after it are an
 * {@link AmfMalformedError}; use {@link decodeAmf0Values} for a payload of several values.
 */
export function decodeAmf0(buffer: Buffer, options?: AmfDecodeOptions): AmfValue {
  const decoder = new Amf0Decoder(buffer, options);
  const value = decoder.readValue();
  if (!decoder.atEnd) {
    throw new AmfMalformedError(
      AmfMessages.trailingBytes('AMF0', decoder.remaining, decoder.offset),
      { offset: decoder.offset, remaining: decoder.remaining },
    );
  }
  return value;
}

/**
 * Decodes AMF0 values one after another until `buffer` ends, sharing one reference table: the
 * shape of a command or data message payload.
 */
export function decodeAmf0Values(buffer: Buffer, options?: AmfDecodeOptions): AmfValue[] {
  return new Amf0Decoder(buffer, options).readAll();
}
