import { RtmpError } from '../errors/rtmp-error';
import { TruncatedDataError } from '../errors/truncated-data.error';
import {
  DEFAULT_MAX_FLV_TAG_SIZE,
  FLV_HEADER_SIZE,
  FLV_TAG_HEADER_SIZE,
  FLV_TAG_TRAILER_SIZE,
  FlvHeaderFlag,
} from './flv-file.constants';
import type { FlvFileHeader, FlvReaderOptions, FlvTag } from './flv-file.types';
import { FlvHeaderInvalidError } from './flv-header-invalid.error';
import { FlvTagTooLargeError } from './flv-tag-too-large.error';
import { FlvMessages } from './flv.messages';

/** Receives each tag as soon as its body is complete. */
export type FlvTagListener = (tag: FlvTag) => void;

// Reader states, in file order. Each step returns quietly when it lacks bytes, so where the
// input happens to be split never changes what comes out.
const FILE_HEADER = 0;
const HEADER_PADDING = 1;
const TAG_TRAILER = 2;
const TAG_HEADER = 3;
const TAG_BODY = 4;
const FAILED = 5;

const EMPTY = Buffer.alloc(0);

/**
 * An incremental FLV file parser: push bytes split anywhere, get each tag once its body is in.
 * Bodies are views into the pushed chunks when they arrived inside one chunk (a view keeps its
 * whole chunk alive: copy bodies you keep for long), and copies only when they straddle chunks.
 *
 * Checks the "FLV" signature ({@link FlvHeaderInvalidError}) and refuses a DataSize over
 * `maxTagSize` as soon as the tag header arrives ({@link FlvTagTooLargeError}). A wrong
 * PreviousTagSize is tolerated and counted, since players ignore it too. `end()` reports input
 * that stops inside a header or tag ({@link TruncatedDataError}). After an error the reader
 * stays failed and rethrows it.
 */
export class FlvReader {
  private readonly maxTagSize: number;
  private readonly chunks: Buffer[] = [];
  /** Read position inside `chunks[0]`. */
  private headOffset = 0;
  private buffered = 0;
  /** File offset of the next unread byte. */
  private position = 0;
  private state = FILE_HEADER;
  private fileHeader: FlvFileHeader | undefined;
  private paddingLeft = 0;
  private expectedTrailer = 0;
  private mismatches = 0;
  private failure: RtmpError | undefined;

  private tagType = 0;
  private tagTimestamp = 0;
  private tagStreamId = 0;
  private tagDataSize = 0;
  private tagOffset = 0;

  constructor(options: FlvReaderOptions = {}) {
    this.maxTagSize = options.maxTagSize ?? DEFAULT_MAX_FLV_TAG_SIZE;
  }

  /** The file header, once its 9 bytes have arrived. */
  get header(): FlvFileHeader | undefined {
    return this.fileHeader;
  }

  /** How many PreviousTagSize fields did not equal 11 + the size of the tag before them. */
  get previousTagSizeMismatches(): number {
    return this.mismatches;
  }

  /** Bytes received but not yet part of a finished header or tag. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes and calls `onTag` for every tag they complete, in file order. Throws an
   * `RtmpError` for a bad signature or an oversized tag; the tags before it have already been
   * delivered.
   */
  push(chunk: Buffer, onTag: FlvTagListener): void {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    try {
      this.run(onTag);
    } catch (error) {
      if (error instanceof RtmpError) this.fail(error);
      throw error;
    }
  }

  /**
   * Declares the input complete. Throws a {@link TruncatedDataError} if it stopped inside the
   * file header or a tag (or a PreviousTagSize); a file that ends right after a tag body, with
   * no final PreviousTagSize, is accepted.
   */
  end(): void {
    if (this.failure) throw this.failure;
    const truncated = this.truncation();
    if (truncated) {
      this.fail(truncated);
      throw truncated;
    }
  }

  private truncation(): TruncatedDataError | undefined {
    switch (this.state) {
      case FILE_HEADER:
        return new TruncatedDataError(
          'FLV file header',
          this.position,
          FLV_HEADER_SIZE,
          this.buffered,
        );
      case HEADER_PADDING:
        // Only reachable with padding left: the loop moves on as soon as it is skipped.
        return new TruncatedDataError('FLV file header', this.position, this.paddingLeft, 0);
      case TAG_TRAILER:
        return this.buffered > 0
          ? new TruncatedDataError(
              'FLV PreviousTagSize',
              this.position,
              FLV_TAG_TRAILER_SIZE,
              this.buffered,
            )
          : undefined;
      case TAG_HEADER:
        return this.buffered > 0
          ? new TruncatedDataError(
              'FLV tag header',
              this.position,
              FLV_TAG_HEADER_SIZE,
              this.buffered,
            )
          : undefined;
      default:
        return new TruncatedDataError(
          'FLV tag body',
          this.position,
          this.tagDataSize,
          this.buffered,
        );
    }
  }

  private run(onTag: FlvTagListener): void {
    for (;;) {
      switch (this.state) {
        case FILE_HEADER:
          if (this.buffered < FLV_HEADER_SIZE) return;
          this.readFileHeader();
          break;
        case HEADER_PADDING: {
          const count = Math.min(this.paddingLeft, this.buffered);
          this.skip(count);
          this.paddingLeft -= count;
          if (this.paddingLeft > 0) return;
          this.state = TAG_TRAILER;
          break;
        }
        case TAG_TRAILER: {
          if (this.buffered < FLV_TAG_TRAILER_SIZE) return;
          const previousTagSize = this.take(FLV_TAG_TRAILER_SIZE).readUInt32BE(0);
          if (previousTagSize !== this.expectedTrailer) this.mismatches++;
          this.state = TAG_HEADER;
          break;
        }
        case TAG_HEADER:
          if (this.buffered < FLV_TAG_HEADER_SIZE) return;
          this.readTagHeader();
          break;
        case TAG_BODY: {
          if (this.buffered < this.tagDataSize) return;
          const tag: FlvTag = {
            type: this.tagType,
            timestamp: this.tagTimestamp,
            streamId: this.tagStreamId,
            body: this.take(this.tagDataSize),
            offset: this.tagOffset,
          };
          this.expectedTrailer = FLV_TAG_HEADER_SIZE + this.tagDataSize;
          this.state = TAG_TRAILER;
          onTag(tag);
          break;
        }
        default:
          return;
      }
    }
  }

  private readFileHeader(): void {
    const bytes = this.take(FLV_HEADER_SIZE);
    const signature = bytes.toString('latin1', 0, 3);
    if (signature !== 'FLV') {
      throw new FlvHeaderInvalidError(FlvMessages.headerSignature(signature), { offset: 0 });
    }
    const dataOffset = bytes.readUInt32BE(5);
    if (dataOffset < FLV_HEADER_SIZE) {
      throw new FlvHeaderInvalidError(FlvMessages.headerDataOffset(dataOffset), { dataOffset });
    }
    this.fileHeader = {
      version: bytes[3],
      hasAudio: (bytes[4] & FlvHeaderFlag.Audio) !== 0,
      hasVideo: (bytes[4] & FlvHeaderFlag.Video) !== 0,
      dataOffset,
    };
    this.paddingLeft = dataOffset - FLV_HEADER_SIZE;
    this.state = HEADER_PADDING;
  }

  private readTagHeader(): void {
    this.tagOffset = this.position;
    const bytes = this.take(FLV_TAG_HEADER_SIZE);
    this.tagType = bytes[0] & 0x1f;
    this.tagDataSize = bytes.readUIntBE(1, 3);
    this.tagTimestamp = (bytes.readUIntBE(4, 3) | (bytes[7] << 24)) >>> 0;
    this.tagStreamId = bytes.readUIntBE(8, 3);
    if (this.tagDataSize > this.maxTagSize) {
      throw new FlvTagTooLargeError(this.tagDataSize, this.maxTagSize, this.tagOffset);
    }
    this.state = TAG_BODY;
  }

  /** The next `count` bytes: a view when they sit in one chunk, else a copy joining them. */
  private take(count: number): Buffer {
    if (count === 0) return EMPTY;
    this.buffered -= count;
    this.position += count;
    const head = this.chunks[0];
    if (head.length - this.headOffset >= count) {
      const view = head.subarray(this.headOffset, this.headOffset + count);
      this.advanceHead(count);
      return view;
    }
    const joined = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0];
      const piece = Math.min(chunk.length - this.headOffset, count - filled);
      chunk.copy(joined, filled, this.headOffset, this.headOffset + piece);
      filled += piece;
      this.advanceHead(piece);
    }
    return joined;
  }

  private skip(count: number): void {
    this.buffered -= count;
    this.position += count;
    let left = count;
    while (left > 0) {
      const piece = Math.min(this.chunks[0].length - this.headOffset, left);
      this.advanceHead(piece);
      left -= piece;
    }
  }

  private advanceHead(count: number): void {
    this.headOffset += count;
    if (this.headOffset === this.chunks[0].length) {
      this.chunks.shift();
      this.headOffset = 0;
    }
  }

  private fail(error: RtmpError): void {
    this.failure = error;
    this.state = FAILED;
    // Drop the buffered chunks so a failed reader does not pin socket or file memory.
    this.chunks.length = 0;
    this.buffered = 0;
    this.headOffset = 0;
  }
}
