/**
 * A tiny AMF0 writer for building fixtures by hand, independent of `Amf0Encoder`, so a fixture
 * built here checks the codec instead of agreeing with it by construction. Each helper returns
 * the bytes of one value.
 */
export const amf0Bytes = {
  number(value: number): Buffer {
    const bytes = Buffer.alloc(9);
    bytes[0] = 0x00;
    bytes.writeDoubleBE(value, 1);
    return bytes;
  },
  boolean(value: boolean): Buffer {
    return Buffer.from([0x01, value ? 1 : 0]);
  },
  string(value: string): Buffer {
    return Buffer.concat([Buffer.from([0x02]), name(value)]);
  },
  null(): Buffer {
    return Buffer.from([0x05]);
  },
  undefined(): Buffer {
    return Buffer.from([0x06]);
  },
  object(properties: readonly (readonly [string, Buffer])[]): Buffer {
    return Buffer.concat([Buffer.from([0x03]), ...props(properties), OBJECT_END]);
  },
  ecmaArray(count: number, properties: readonly (readonly [string, Buffer])[]): Buffer {
    const header = Buffer.alloc(5);
    header[0] = 0x08;
    header.writeUInt32BE(count, 1);
    return Buffer.concat([header, ...props(properties), OBJECT_END]);
  },
  strictArray(items: readonly Buffer[]): Buffer {
    const header = Buffer.alloc(5);
    header[0] = 0x0a;
    header.writeUInt32BE(items.length, 1);
    return Buffer.concat([header, ...items]);
  },
};

const OBJECT_END = Buffer.from([0x00, 0x00, 0x09]);

/** UTF-8 with a U16 length: a property name, or a string without its marker. */
function name(text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(utf8.length);
  return Buffer.concat([length, utf8]);
}

function props(properties: readonly (readonly [string, Buffer])[]): Buffer[] {
  return properties.flatMap(([key, value]) => [name(key), value]);
}
