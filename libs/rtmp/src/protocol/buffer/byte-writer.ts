/**
 * A growable big-endian writer for building small control and command payloads. It grows by
 * doubling; `toBuffer()` returns a view of what was written, so a writer is used once.
 * Media bodies are never written through it: they travel as views.
 */
export class ByteWriter {
  private buffer: Buffer;
  private position = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  get length(): number {
    return this.position;
  }

  u8(value: number): this {
    this.ensure(1);
    this.buffer[this.position++] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    this.ensure(2);
    this.buffer.writeUInt16BE(value & 0xffff, this.position);
    this.position += 2;
    return this;
  }

  i16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.position);
    this.position += 2;
    return this;
  }

  u24(value: number): this {
    this.ensure(3);
    this.buffer.writeUIntBE(value & 0xffffff, this.position, 3);
    this.position += 3;
    return this;
  }

  i24(value: number): this {
    this.ensure(3);
    this.buffer.writeIntBE(value, this.position, 3);
    this.position += 3;
    return this;
  }

  u32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32BE(value >>> 0, this.position);
    this.position += 4;
    return this;
  }

  i32(value: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(value | 0, this.position);
    this.position += 4;
    return this;
  }

  u32le(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.position);
    this.position += 4;
    return this;
  }

  f64(value: number): this {
    this.ensure(8);
    this.buffer.writeDoubleBE(value, this.position);
    this.position += 8;
    return this;
  }

  bytes(source: Uint8Array): this {
    this.ensure(source.length);
    this.buffer.set(source, this.position);
    this.position += source.length;
    return this;
  }

  /** Writes UTF-8 text with no length prefix; returns the number of bytes written. */
  utf8(text: string): number {
    const byteLength = Buffer.byteLength(text, 'utf8');
    this.ensure(byteLength);
    this.buffer.write(text, this.position, byteLength, 'utf8');
    this.position += byteLength;
    return byteLength;
  }

  fourCc(code: string): this {
    this.ensure(4);
    this.buffer.write(code.padEnd(4, ' ').slice(0, 4), this.position, 4, 'latin1');
    this.position += 4;
    return this;
  }

  /** Overwrites a big-endian u16 at an earlier position (length fields filled in afterwards). */
  patchU16(at: number, value: number): void {
    this.buffer.writeUInt16BE(value & 0xffff, at);
  }

  patchU24(at: number, value: number): void {
    this.buffer.writeUIntBE(value & 0xffffff, at, 3);
  }

  patchU32(at: number, value: number): void {
    this.buffer.writeUInt32BE(value >>> 0, at);
  }

  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.position);
  }

  private ensure(extra: number): void {
    const needed = this.position + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }
}
