import { ByteReader } from '../buffer/byte-reader';
import { AmfBadReferenceError } from './amf-bad-reference.error';
import { AmfEntryBudget } from './amf-entry-budget';
import { AmfMalformedError } from './amf-malformed.error';
import { AmfTooDeepError } from './amf-too-deep.error';
import { AmfTooLargeError } from './amf-too-large.error';
import { AmfUnknownMarkerError } from './amf-unknown-marker.error';
import {
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfObject,
  AmfTraits,
  AmfTypedObject,
  AmfValue,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  setAmfProperty,
} from './amf-value';
import { AMF3_KNOWN_EXTERNALIZABLE, Amf3Marker } from './amf3.constants';
import { readU29 } from './amf3-u29';
import { AmfDecodeOptions, entryBudgetFor, resolveMaxDepth } from './amf.options';
import { AmfMessages } from './amf.messages';

/** `readComplexHeader` result for a reference; inline payloads are never negative. */
const REFERENCE = -1;

/** Traits as the decoder keeps them in its traits table. */
interface DecodedTraits {
  readonly className: string;
  readonly externalizable: boolean;
  /** Shared by every typed object decoded with these traits; never mutated. */
  readonly layout: AmfTraits;
}

/**
 * Reads AMF3 values (AMF3 §3) from a {@link ByteReader}, keeping the three reference tables
 * (strings, complex objects, traits) for as long as this instance lives: one instance is one
 * AMF3 context.
 *
 * Every failure is an `RtmpError`: reads are bounds-checked by the reader, counts are checked
 * against the bytes left before anything is built for them, references are checked against the
 * table sizes, and nesting stops at `maxDepth` before the next level is entered.
 */
export class Amf3Decoder {
  private readonly strings: string[] = [];
  private readonly objects: AmfValue[] = [];
  private readonly traits: DecodedTraits[] = [];
  /** The value the last complex header referred to (see `readComplexHeader`). */
  private referenced: AmfValue = undefined;

  /**
   * @param depth nesting already entered by an enclosing AMF0 decoder, so an AVM+ switch cannot
   *   be used to double the depth limit.
   * @param entries the payload's entry budget, shared with an enclosing AMF0 decoder for the
   *   same reason.
   */
  constructor(
    private readonly reader: ByteReader,
    private readonly maxDepth: number,
    private depth = 0,
    private readonly entries: AmfEntryBudget = entryBudgetFor(undefined),
  ) {}

  readValue(): AmfValue {
    const reader = this.reader;
    const offset = reader.offset;
    const marker = reader.u8();
    switch (marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer: {
        const value = readU29(reader);
        // 29-bit two's complement.
        return value >= 0x10000000 ? value - 0x20000000 : value;
      }
      case Amf3Marker.Double:
        return reader.f64();
      case Amf3Marker.String:
        return this.readString();
      case Amf3Marker.XmlDocument:
      case Amf3Marker.Xml:
        return this.readXml(marker, offset);
      case Amf3Marker.Date:
        return this.readDate(offset);
      case Amf3Marker.Array:
        return this.readArray(offset);
      case Amf3Marker.Object:
        return this.readObject(offset);
      case Amf3Marker.ByteArray:
        return this.readByteArray(offset);
      case Amf3Marker.VectorInt:
      case Amf3Marker.VectorUint:
      case Amf3Marker.VectorDouble:
        return this.readNumberVector(marker, offset);
      case Amf3Marker.VectorObject:
        return this.readObjectVector(offset);
      case Amf3Marker.Dictionary:
        return this.readDictionary(offset);
      default:
        throw new AmfUnknownMarkerError('AMF3', marker, offset);
    }
  }

  /** UTF-8-vr (AMF3 §1.3.2): an inline string or a reference; "" is never in the table. */
  private readString(): string {
    const offset = this.reader.offset;
    const header = readU29(this.reader);
    if ((header & 1) === 0) {
      const index = header >>> 1;
      if (index >= this.strings.length) {
        throw new AmfBadReferenceError('AMF3 string', index, this.strings.length, offset);
      }
      return this.strings[index];
    }
    const length = header >>> 1;
    if (length === 0) return '';
    const value = this.reader.utf8(length);
    this.strings.push(value);
    return value;
  }

  /**
   * Reads the U29 that opens every complex value and returns its inline payload (header >>> 1),
   * or {@link REFERENCE} after storing the earlier value it points at in `referenced`. (A field
   * rather than a returned pair, so no object is allocated per value.)
   */
  private readComplexHeader(offset: number): number {
    const header = readU29(this.reader);
    if ((header & 1) === 0) {
      this.referenced = this.objectAt(header >>> 1, offset);
      return REFERENCE;
    }
    return header >>> 1;
  }

  private objectAt(index: number, offset: number): AmfValue {
    if (index >= this.objects.length) {
      throw new AmfBadReferenceError('AMF3 object', index, this.objects.length, offset);
    }
    return this.objects[index];
  }

  private readXml(marker: number, offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    const text = this.reader.utf8(header);
    const value = marker === Amf3Marker.Xml ? new AmfXml(text) : new AmfXmlDocument(text);
    this.objects.push(value);
    return value;
  }

  private readDate(offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    // The remaining header bits are unused; no time zone travels in AMF3.
    const value = new Date(this.reader.f64());
    this.objects.push(value);
    return value;
  }

  private readByteArray(offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    // A copy: a view would pin the whole socket buffer for as long as the caller keeps the value.
    const value = Buffer.from(this.reader.bytes(header));
    this.objects.push(value);
    return value;
  }

  private readArray(offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    const denseCount = header;
    this.checkCount('AMF3 array', denseCount, 1, offset);
    this.entries.take(denseCount, offset);
    // The array takes its table slot now, so its own items can refer to it; what it becomes
    // (dense array or ECMA array) is only known once the first associative key is read.
    const slot = this.objects.length;
    this.objects.push(undefined);
    this.enter(offset);
    let key = this.readString();
    let result: AmfValue[] | AmfEcmaArray;
    if (key === '') {
      const items: AmfValue[] = [];
      this.objects[slot] = items;
      for (let index = 0; index < denseCount; index++) items.push(this.readValue());
      result = items;
    } else {
      const mixed = new AmfEcmaArray();
      this.objects[slot] = mixed;
      while (key !== '') {
        this.entries.take(1, offset);
        setAmfProperty(mixed, key, this.readValue());
        key = this.readString();
      }
      for (let index = 0; index < denseCount; index++) {
        setAmfProperty(mixed, String(index), this.readValue());
      }
      result = mixed;
    }
    this.depth--;
    return result;
  }

  private readObject(offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    const traits = this.readTraits(header, offset);
    if (traits.externalizable) return this.readExternalizable(traits.className, offset);

    const { layout } = traits;
    const properties: AmfObject = {};
    const anonymous = traits.className === '' && layout.dynamic && layout.sealed.length === 0;
    const value = anonymous ? properties : new AmfTypedObject(traits.className, properties, layout);
    this.objects.push(value);
    this.entries.take(layout.sealed.length, offset);
    this.enter(offset);
    for (const name of layout.sealed) setAmfProperty(properties, name, this.readValue());
    if (layout.dynamic) {
      for (let key = this.readString(); key !== ''; key = this.readString()) {
        this.entries.take(1, offset);
        setAmfProperty(properties, key, this.readValue());
      }
    }
    this.depth--;
    return value;
  }

  /** `flags` is the object header without its low (inline object) bit. */
  private readTraits(flags: number, offset: number): DecodedTraits {
    if ((flags & 1) === 0) {
      const index = flags >>> 1;
      if (index >= this.traits.length) {
        throw new AmfBadReferenceError('AMF3 traits', index, this.traits.length, offset);
      }
      return this.traits[index];
    }
    let traits: DecodedTraits;
    if ((flags & 2) !== 0) {
      traits = {
        className: this.readString(),
        externalizable: true,
        layout: { sealed: [], dynamic: false },
      };
    } else {
      const dynamic = (flags & 4) !== 0;
      const sealedCount = flags >>> 3;
      this.checkCount('AMF3 sealed member list', sealedCount, 1, offset);
      const className = this.readString();
      const sealed: string[] = [];
      for (let index = 0; index < sealedCount; index++) sealed.push(this.readString());
      traits = { className, externalizable: false, layout: { sealed, dynamic } };
    }
    this.traits.push(traits);
    return traits;
  }

  private readExternalizable(className: string, offset: number): AmfValue {
    if (!AMF3_KNOWN_EXTERNALIZABLE.has(className)) {
      throw new AmfMalformedError(AmfMessages.externalizable(className), { className, offset });
    }
    const wrapper = new AmfExternalizable(className);
    this.objects.push(wrapper);
    this.enter(offset);
    wrapper.value = this.readValue();
    this.depth--;
    return wrapper;
  }

  private readNumberVector(marker: number, offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    const count = header;
    const fixed = this.reader.u8() !== 0;
    const reader = this.reader;
    this.entries.take(count, offset);
    const items: number[] = [];
    let vector: AmfVector;
    if (marker === Amf3Marker.VectorDouble) {
      this.checkCount('AMF3 vector of double', count, 8, offset);
      for (let index = 0; index < count; index++) items.push(reader.f64());
      vector = new AmfVector('double', items, fixed);
    } else if (marker === Amf3Marker.VectorInt) {
      this.checkCount('AMF3 vector of int', count, 4, offset);
      for (let index = 0; index < count; index++) items.push(reader.i32());
      vector = new AmfVector('int', items, fixed);
    } else {
      this.checkCount('AMF3 vector of uint', count, 4, offset);
      for (let index = 0; index < count; index++) items.push(reader.u32());
      vector = new AmfVector('uint', items, fixed);
    }
    this.objects.push(vector);
    return vector;
  }

  private readObjectVector(offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    const count = header;
    const fixed = this.reader.u8() !== 0;
    this.checkCount('AMF3 vector of object', count, 1, offset);
    this.entries.take(count, offset);
    const typeName = this.readString();
    const items: AmfValue[] = [];
    const vector = new AmfVector('object', items, fixed, typeName);
    this.objects.push(vector);
    this.enter(offset);
    for (let index = 0; index < count; index++) items.push(this.readValue());
    this.depth--;
    return vector;
  }

  private readDictionary(offset: number): AmfValue {
    const header = this.readComplexHeader(offset);
    if (header === REFERENCE) return this.referenced;
    const count = header;
    const weakKeys = this.reader.u8() !== 0;
    this.checkCount('AMF3 dictionary', count, 2, offset);
    this.entries.take(count, offset);
    const dictionary = new AmfDictionary(new Map(), weakKeys);
    this.objects.push(dictionary);
    this.enter(offset);
    for (let index = 0; index < count; index++) {
      const key = this.readValue();
      dictionary.entries.set(key, this.readValue());
    }
    this.depth--;
    return dictionary;
  }

  /** Fails before building anything when `count` items cannot fit in the bytes left. */
  private checkCount(what: string, count: number, bytesPerItem: number, offset: number): void {
    const minimum = count * bytesPerItem;
    const available = this.reader.remaining;
    if (minimum > available) throw new AmfTooLargeError(what, count, minimum, available, offset);
  }

  private enter(offset: number): void {
    if (this.depth >= this.maxDepth) throw new AmfTooDeepError('AMF3', this.maxDepth, offset);
    this.depth++;
  }
}

/**
 * Decodes exactly one AMF3 value filling `buffer`, in a fresh context (empty reference tables).
 * Bytes left after the value are an {@link AmfMalformedError}.
 */
export function decodeAmf3(buffer: Buffer, options?: AmfDecodeOptions): AmfValue {
  const reader = new ByteReader(buffer, 'AMF3 value');
  const value = new Amf3Decoder(
    reader,
    resolveMaxDepth(options),
    0,
    entryBudgetFor(options),
  ).readValue();
  if (!reader.atEnd) {
    throw new AmfMalformedError(
      AmfMessages.trailingBytes('AMF3', reader.remaining, reader.offset),
      {
        offset: reader.offset,
        remaining: reader.remaining,
      },
    );
  }
  return value;
}

/** Decodes AMF3 values one after another until `buffer` ends, all in one context. */
export function decodeAmf3Values(buffer: Buffer, options?: AmfDecodeOptions): AmfValue[] {
  const reader = new ByteReader(buffer, 'AMF3 value');
  const decoder = new Amf3Decoder(reader, resolveMaxDepth(options), 0, entryBudgetFor(options));
  const values: AmfValue[] = [];
  while (!reader.atEnd) values.push(decoder.readValue());
  return values;
}
