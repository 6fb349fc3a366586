import { ChunkStreamError } from '../errors/chunk-stream.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { DEFAULT_CHUNK_SIZE, MAX_WIRE_MESSAGE_SIZE } from '../limits';
import { RtmpMessage } from '../message/rtmp-message';
import {
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_STREAM_ID,
  MESSAGE_HEADER_LENGTH,
  MIN_CHUNK_STREAM_ID,
} from './chunk.constants';

/** What the writer remembers of the last header it sent on one chunk stream. */
interface WrittenHeader {
  timestamp: number;
  /** Delta of the last fmt 1/2 header; -1 after an fmt 0 header (see `chooseFormat`). */
  delta: number;
  length: number;
  typeId: number;
  messageStreamId: number;
}

/**
 * RTMP chunk-stream writer (SPEC §5.3). Splits messages into chunks of the current outgoing
 * chunk size and compresses headers against the last one sent on the same chunk stream.
 *
 * Output is a list of buffers: headers come from one small allocation per message, payload
 * pieces are views of the caller's payload, so media bytes are never copied. Write the list
 * with `cork()`/`uncork()` (or `writev`) to send it as one segment.
 */
export class ChunkWriter {
  private chunkSizeOut = DEFAULT_CHUNK_SIZE;
  private readonly headers = new Map<number, WrittenHeader>();

  get chunkSize(): number {
    return this.chunkSizeOut;
  }

  /**
   * Changes the outgoing chunk size. Send the SetChunkSize message (with the old size) before
   * calling this: the peer applies it at the end of that message.
   */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) {
      throw new ChunkStreamError(RtmpErrorCode.ChunkSizeInvalid, `invalid chunk size ${size}`, {
        size,
      });
    }
    this.chunkSizeOut = size;
  }

  /** Encodes one message as chunks. */
  encode(message: RtmpMessage): Buffer[] {
    const out: Buffer[] = [];
    this.write(message, out);
    return out;
  }

  /**
   * Encodes `message` as one buffer whose first chunk has a full (fmt 0) header: bytes that
   * depend on nothing a connection remembers, so one encoding serves every connection with
   * this chunk size. Fan-out writes it to each player (one copy of the payload per message
   * instead of a header allocation, views and writes per player); each player's writer is told
   * with {@link recordFullHeaderSent}.
   */
  static encodeWithFullHeader(message: RtmpMessage, chunkSize: number): Buffer {
    const writer = new ChunkWriter();
    writer.setChunkSize(chunkSize);
    return writer.encodeToBuffer(message);
  }

  /**
   * Records that `message` went out on this connection encoded by
   * {@link ChunkWriter.encodeWithFullHeader}, so the next header on its chunk stream is
   * compressed against it, as if this writer had written it.
   */
  recordFullHeaderSent(message: RtmpMessage): void {
    validate(message.chunkStreamId, message.payload.length);
    const timestamp = message.timestamp >>> 0;
    const previous = this.headers.get(message.chunkStreamId);
    this.remember(message.chunkStreamId, previous, 0, timestamp, message, timestamp);
  }

  /** Encodes one message into a single buffer (copies the payload: for small messages). */
  encodeToBuffer(message: RtmpMessage): Buffer {
    return Buffer.concat(this.encode(message));
  }

  /** Appends the chunks of `message` to `out`; returns the number of bytes appended. */
  write(message: RtmpMessage, out: Buffer[]): number {
    const { chunkStreamId, payload, typeId, messageStreamId } = message;
    const timestamp = message.timestamp >>> 0;
    const length = payload.length;
    validate(chunkStreamId, length);

    const previous = this.headers.get(chunkStreamId);
    const fmt = chooseFormat(previous, message, timestamp);
    const field = fmt === 0 ? timestamp : (timestamp - (previous as WrittenHeader).timestamp) >>> 0;
    const extended = field >= EXTENDED_TIMESTAMP_MARKER;
    const basicLength = basicHeaderLength(chunkStreamId);
    const extendedLength = extended ? 4 : 0;
    const firstHeaderLength = basicLength + MESSAGE_HEADER_LENGTH[fmt] + extendedLength;
    const continuationLength = basicLength + extendedLength;
    const chunkSize = this.chunkSizeOut;
    const chunkCount = length === 0 ? 1 : Math.ceil(length / chunkSize);
    const headerBytes = Buffer.allocUnsafe(
      firstHeaderLength + (chunkCount - 1) * continuationLength,
    );

    // First chunk: full header for the chosen fmt.
    let at = writeBasicHeader(headerBytes, 0, fmt, chunkStreamId);
    if (fmt <= 2) {
      headerBytes.writeUIntBE(extended ? EXTENDED_TIMESTAMP_MARKER : field, at, 3);
      at += 3;
    }
    if (fmt <= 1) {
      headerBytes.writeUIntBE(length, at, 3);
      headerBytes[at + 3] = typeId;
      at += 4;
    }
    if (fmt === 0) {
      headerBytes.writeUInt32LE(messageStreamId >>> 0, at);
      at += 4;
    }
    // Extended timestamps are repeated on every chunk, fmt 3 included (SPEC §5.3.1.3, FFmpeg).
    if (extended) {
      headerBytes.writeUInt32BE(field, at);
      at += 4;
    }
    out.push(headerBytes.subarray(0, at));

    let offset = 0;
    while (offset < length) {
      if (offset > 0) {
        const headerStart = at;
        at = writeBasicHeader(headerBytes, at, 3, chunkStreamId);
        if (extended) {
          headerBytes.writeUInt32BE(field, at);
          at += 4;
        }
        out.push(headerBytes.subarray(headerStart, at));
      }
      const next = offset + chunkSize < length ? offset + chunkSize : length;
      out.push(payload.subarray(offset, next));
      offset = next;
    }

    this.remember(chunkStreamId, previous, fmt, field, message, timestamp);
    return headerBytes.length + length;
  }

  private remember(
    chunkStreamId: number,
    previous: WrittenHeader | undefined,
    fmt: number,
    field: number,
    message: RtmpMessage,
    timestamp: number,
  ): void {
    const header = previous ?? {
      timestamp: 0,
      delta: -1,
      length: 0,
      typeId: 0,
      messageStreamId: 0,
    };
    header.timestamp = timestamp;
    if (fmt === 0) header.delta = -1;
    else if (fmt !== 3) header.delta = field;
    header.length = message.payload.length;
    header.typeId = message.typeId;
    header.messageStreamId = message.messageStreamId;
    if (previous === undefined) this.headers.set(chunkStreamId, header);
  }
}

/**
 * Picks the smallest header that a reader can decode unambiguously:
 * - fmt 0 on a new chunk stream, a new msid, or a timestamp that goes backwards (SPEC
 *   §5.3.1.2.1; readers would otherwise add a huge uint32 delta);
 * - fmt 3 for a new message only after an fmt 1/2 header with the same delta: after fmt 0,
 *   readers disagree on what fmt 3 adds (FFmpeg adds the fmt 0 timestamp, nginx adds 0).
 */
function chooseFormat(
  previous: WrittenHeader | undefined,
  message: RtmpMessage,
  timestamp: number,
): number {
  if (
    previous === undefined ||
    previous.messageStreamId !== message.messageStreamId ||
    timestamp < previous.timestamp
  ) {
    return 0;
  }
  if (previous.length !== message.payload.length || previous.typeId !== message.typeId) return 1;
  const delta = (timestamp - previous.timestamp) >>> 0;
  return delta === previous.delta ? 3 : 2;
}

function basicHeaderLength(chunkStreamId: number): number {
  if (chunkStreamId < 64) return 1;
  return chunkStreamId < 320 ? 2 : 3;
}

function writeBasicHeader(target: Buffer, at: number, fmt: number, chunkStreamId: number): number {
  if (chunkStreamId < 64) {
    target[at] = (fmt << 6) | chunkStreamId;
    return at + 1;
  }
  const id = chunkStreamId - 64;
  if (chunkStreamId < 320) {
    target[at] = fmt << 6;
    target[at + 1] = id;
    return at + 2;
  }
  target[at] = (fmt << 6) | 1;
  target[at + 1] = id & 0xff;
  target[at + 2] = id >>> 8;
  return at + 3;
}

function validate(chunkStreamId: number, length: number): void {
  if (
    !Number.isInteger(chunkStreamId) ||
    chunkStreamId < MIN_CHUNK_STREAM_ID ||
    chunkStreamId > MAX_CHUNK_STREAM_ID
  ) {
    throw new ChunkStreamError(
      RtmpErrorCode.MessageMalformed,
      `chunk stream id ${chunkStreamId} is outside ${MIN_CHUNK_STREAM_ID}..${MAX_CHUNK_STREAM_ID}`,
      { chunkStreamId },
    );
  }
  if (length > MAX_WIRE_MESSAGE_SIZE) {
    throw new ChunkStreamError(
      RtmpErrorCode.ChunkMessageTooLarge,
      `message of ${length} bytes does not fit the 24-bit length field`,
      { length },
    );
  }
}
