import { encodeFlvHeader, encodeFlvTagHeader, encodeFlvTagTrailer } from './flv-file.encoder';
import type { FlvHeaderFlags } from './flv-file.types';

/** Where an {@link FlvWriter} sends its bytes (a file stream's write, an array's push...). */
export type FlvSink = (chunk: Buffer) => void;

/**
 * Writes an FLV file to any sink, one chunk at a time: the header, then per tag an 11-byte
 * header, the body exactly as given (never copied, so pass RTMP payload views straight in) and
 * the 4-byte PreviousTagSize. It does no I/O and no buffering of its own; backpressure is the
 * sink's business. Script data (type 18) bodies are AMF0 the caller has already encoded.
 */
export class FlvWriter {
  private headerWritten = false;
  private written = 0;

  constructor(
    private readonly sink: FlvSink,
    private readonly flags: FlvHeaderFlags,
  ) {}

  /** Bytes handed to the sink so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Writes the file header and PreviousTagSize0, unless already written. `writeTag` does this
   * by itself; calling it first only matters for a file that may end up with no tags.
   */
  writeHeader(): void {
    if (this.headerWritten) return;
    this.headerWritten = true;
    this.emit(encodeFlvHeader(this.flags));
  }

  /**
   * Writes one tag. `timestamp` is in milliseconds (modulo 2^32). Throws
   * `FlvTagTooLargeError` before writing anything if the body is over 16,777,215 bytes.
   */
  writeTag(type: number, timestamp: number, body: Buffer): void {
    const header = encodeFlvTagHeader(type, timestamp, body.length);
    this.writeHeader();
    this.emit(header);
    this.emit(body);
    this.emit(encodeFlvTagTrailer(body.length));
  }

  private emit(chunk: Buffer): void {
    this.sink(chunk);
    this.written += chunk.length;
  }
}
