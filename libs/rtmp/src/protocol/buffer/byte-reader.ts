import { TruncatedDataError } from '../errors/truncated-data.error';

/**
 * A bounds-checked cursor over one buffer. Every read that would run past `end` throws a
 * {@link TruncatedDataError} naming `what` is being read, so decoders built on it never throw
 * a RangeError. `bytes()` returns a view, not a copy.
 */
export class ByteReader {
  private position: number;
  private readonly end: number;

  constructor(
    private readonly buffer: Buffer,
    private readonly what: string,
    start = 0,
    end = buffer.length,
  ) {
    this.position = start;
    this.end = end;
  }

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  get atEnd(): boolean {
    return this.position >= this.end;
  }

  u8(): number {
    this.need(1);
    return this.buffer[this.position++];
  }

  peekU8(): number {
    this.need(1);
    return this.buffer[this.position];
  }

  u16(): number {
    this.need(2);
    const value = this.buffer.readUInt16BE(this.position);
    this.position += 2;
    return value;
  }

  i16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.position);
    this.position += 2;
    return value;
  }

  u24(): number {
    this.need(3);
    const value = this.buffer.readUIntBE(this.position, 3);
    this.position += 3;
    return value;
  }

  /** Signed 24-bit big-endian, as FLV's CompositionTime. */
  i24(): number {
    this.need(3);
    const value = this.buffer.readIntBE(this.position, 3);
    this.position += 3;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.position);
    this.position += 4;
    return value;
  }

  u32le(): number {
    this.need(4);
    const value = this.buffer.readUInt32LE(this.position);
    this.position += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.buffer.readDoubleBE(this.position);
    this.position += 8;
    return value;
  }

  /** A view of the next `length` bytes (no copy). */
  bytes(length: number): Buffer {
    this.need(length);
    const view = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return view;
  }

  /** The rest of the buffer as a view. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  utf8(length: number): string {
    this.need(length);
    const value = this.buffer.toString('utf8', this.position, this.position + length);
    this.position += length;
    return value;
  }

  /** Four ASCII characters read as a FourCC ("hvc1", "mp4a"...). */
  fourCc(): string {
    this.need(4);
    const value = this.buffer.toString('latin1', this.position, this.position + 4);
    this.position += 4;
    return value;
  }

  skip(length: number): void {
    this.need(length);
    this.position += length;
  }

  private need(length: number): void {
    if (length < 0 || this.position + length > this.end) {
      throw new TruncatedDataError(this.what, this.position, length, this.end - this.position);
    }
  }
}
