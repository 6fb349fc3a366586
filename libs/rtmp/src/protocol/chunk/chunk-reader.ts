import { ChunkStreamError } from '../errors/chunk-stream.error';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { DEFAULT_CHUNK_SIZE } from '../limits';
import { MessageType } from '../message/message-type';
import { RtmpMessage } from '../message/rtmp-message';
import { readAbortedChunkStream, readChunkSize } from './chunk-control';
import { ChunkMemoryBudget } from './chunk-memory-budget';
import { ChunkReaderLimits, ChunkReaderPolicy, pickReaderLimits } from './chunk-reader.options';
import { ChunkStreamState } from './chunk-stream-state';
import { ChunkStreamTable } from './chunk-stream-table';
import {
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_HEADER_SIZE,
  MESSAGE_HEADER_LENGTH,
} from './chunk.constants';
import { MessageAssembler } from './message-assembler';
export type { ChunkReaderLimits, ChunkReaderPolicy } from './chunk-reader.options';

/**
 * The one error every released reader refuses input with: made once, since every connection
 * that closes releases its reader, and an Error's stack trace is not free.
 */
let releasedError: RtmpError | undefined;
function released(): RtmpError {
  releasedError ??= new ChunkStreamError(
    RtmpErrorCode.ChunkReaderFailed,
    'the reader was released',
    {},
  );
  return releasedError;
}

export type ChunkMessageHandler = (message: RtmpMessage) => void;

/**
 * Incremental RTMP chunk-stream reader (SPEC §5.3). Feed it socket buffers split anywhere; it
 * calls `onMessage` synchronously for every complete message, in order.
 *
 * - A message that arrives in one chunk inside one socket buffer is handed out as a view of
 *   that buffer (no copy). A message spread over several chunks is copied into a buffer of its
 *   own: its bytes are not contiguous on the wire. That buffer grows as the bytes arrive (a
 *   header announcing 16 MiB costs what the peer actually sent, not 16 MiB), until its
 *   {@link ChunkReaderPolicy} says the peer is trusted to allocate what it announces.
 * - SetChunkSize and Abort are applied here, at the exact byte where they end, because the
 *   very next chunk may depend on them; they are still handed to `onMessage`.
 * - Limits are checked as soon as a header announces a size and before bytes are buffered;
 *   what is held is also reported to an optional {@link ChunkMemoryBudget}. A violation throws
 *   a fatal {@link RtmpError}; the reader then refuses further input.
 */
export class ChunkReader {
  private limits: ChunkReaderLimits;
  /** Types read past unbuffered (see ChunkReaderPolicy); undefined for none, the fast path. */
  private skipTypes: ReadonlySet<number> | undefined;
  private chunkSizeIn = DEFAULT_CHUNK_SIZE;
  private readonly streams = new ChunkStreamTable();
  private readonly assembler: MessageAssembler;
  /** Bytes of a chunk header that was cut by the end of the previous socket buffer. */
  private headerStash: Buffer | null = null;
  /** The chunk stream whose chunk payload is being read, and how much of it is still due. */
  private current: ChunkStreamState | null = null;
  private chunkRemaining = 0;
  /** msid of the latest fmt 0 header, lent to a chunk stream that opens with fmt 1. */
  private lastMessageStreamId = 0;
  private failure: RtmpError | null = null;

  /**
   * @param budget told of every byte held in partial messages, e.g. a server's budget over all
   *   its connections; it may refuse more.
   */
  constructor(
    private readonly onMessage: ChunkMessageHandler,
    limits: Partial<ChunkReaderLimits> = {},
    budget?: ChunkMemoryBudget,
    policy: ChunkReaderPolicy = {},
  ) {
    this.limits = pickReaderLimits(limits);
    this.skipTypes = policy.skipMessageTypes;
    this.assembler = new MessageAssembler(
      this.limits,
      policy.allocateAnnouncedSize ?? false,
      budget,
    );
  }

  /**
   * Changes the limits and the policy, e.g. once the peer is accepted: limits apply from the
   * next header on, the policy from the next message on (one being read goes on as it began).
   */
  reconfigure(limits: Partial<ChunkReaderLimits>, policy: ChunkReaderPolicy): void {
    this.limits = pickReaderLimits(limits);
    this.skipTypes = policy.skipMessageTypes;
    this.assembler.configure(this.limits, policy.allocateAnnouncedSize ?? false);
  }

  /**
   * Drops every partial message and gives its bytes back to the budget, for a connection that
   * is going away; further input is refused.
   */
  release(): void {
    this.streams.forEach((state) => this.assembler.drop(state));
    this.failure ??= released();
  }

  /** The chunk size the peer currently sends with. */
  get chunkSize(): number {
    return this.chunkSizeIn;
  }

  /** Bytes held in messages that are not complete yet. */
  get pendingMessageBytes(): number {
    return this.assembler.pending;
  }

  get chunkStreamCount(): number {
    return this.streams.count;
  }

  /** Feeds the next socket buffer. Throws a fatal RtmpError when the stream breaks a rule. */
  push(data: Buffer): void {
    if (this.failure !== null) throw this.failure;
    try {
      this.consume(data);
    } catch (error) {
      if (error instanceof RtmpError) this.failure = error;
      throw error;
    }
  }

  private consume(data: Buffer): void {
    let position = 0;
    const end = data.length;
    if (this.headerStash !== null) {
      position = this.finishStashedHeader(data);
      if (position < 0) return;
    }
    while (position < end) {
      if (this.chunkRemaining > 0) {
        position = this.readPayload(data, position, end);
        continue;
      }
      const used = this.readHeader(data, position, end);
      if (used === 0) {
        // Keep the cut header (at most 17 bytes) as a copy: the socket buffer may be reused.
        this.headerStash = Buffer.from(data.subarray(position, end));
        return;
      }
      position += used;
    }
  }

  /**
   * Completes a header whose first bytes came in the previous buffer. Returns where the
   * payload starts in `data`, or -1 when even this buffer does not complete the header.
   */
  private finishStashedHeader(data: Buffer): number {
    const stash = this.headerStash as Buffer;
    const joined = Buffer.concat([stash, data.subarray(0, MAX_CHUNK_HEADER_SIZE)]);
    const used = this.readHeader(joined, 0, joined.length);
    if (used === 0) {
      this.headerStash = joined;
      return -1;
    }
    this.headerStash = null;
    return used - stash.length;
  }

  /**
   * Parses one chunk header at `start`. Returns the bytes it took, or 0 (touching no state)
   * when the header is not complete yet.
   */
  private readHeader(buffer: Buffer, start: number, end: number): number {
    const first = buffer[start];
    const fmt = first >>> 6;
    let chunkStreamId = first & 0x3f;
    let position = start + 1;
    if (chunkStreamId === 0) {
      if (end - start < 2) return 0;
      chunkStreamId = buffer[position] + 64;
      position += 1;
    } else if (chunkStreamId === 1) {
      if (end - start < 3) return 0;
      // The 3-byte form is little-endian (SPEC §5.3.1.1).
      chunkStreamId = buffer[position] + buffer[position + 1] * 256 + 64;
      position += 2;
    }
    const headerLength = MESSAGE_HEADER_LENGTH[fmt];
    if (end - position < headerLength) return 0;

    let state = this.streams.lookup(chunkStreamId);
    let timestampField = 0;
    let extended = false;
    let after = position + headerLength;
    if (fmt <= 2) {
      timestampField =
        (buffer[position] << 16) | (buffer[position + 1] << 8) | buffer[position + 2];
      if (timestampField === EXTENDED_TIMESTAMP_MARKER) {
        if (end - after < 4) return 0;
        timestampField = buffer.readUInt32BE(after);
        after += 4;
        extended = true;
      }
    } else if (state !== undefined && state.extendedTimestamp) {
      // Writers disagree on whether fmt 3 chunks repeat the extended timestamp (FFmpeg does,
      // old OBS does not). Like SRS, take the 4 bytes as the field only if they equal it.
      if (end - after < 4) return 0;
      if (buffer.readUInt32BE(after) === state.timestampField) after += 4;
    }

    // The header is complete: from here on, state changes.
    if (state === undefined) {
      if (fmt >= 2) {
        throw new ChunkStreamError(
          RtmpErrorCode.ChunkNoPreviousHeader,
          `chunk stream ${chunkStreamId} opened with fmt ${fmt}, which needs a previous header`,
          { chunkStreamId, fmt },
        );
      }
      state = this.streams.open(chunkStreamId, this.limits.maxChunkStreams);
      // Some clients open a chunk stream with fmt 1 (srs#1006): borrow the last msid.
      if (fmt === 1) state.messageStreamId = this.lastMessageStreamId;
    }

    if (fmt <= 1) {
      const length =
        (buffer[position + 3] << 16) | (buffer[position + 4] << 8) | buffer[position + 5];
      if (length > this.limits.maxMessageSize) {
        throw new ProtocolLimitError(
          RtmpErrorCode.ChunkMessageTooLarge,
          'maxMessageSize',
          length,
          this.limits.maxMessageSize,
        );
      }
      // A new header while a message is unfinished: OBS does this now and then (srs#2523).
      // The unfinished message cannot be completed any more, so it is dropped.
      if (state.received > 0) this.assembler.abandon(state);
      state.messageLength = length;
      state.typeId = buffer[position + 6];
      if (fmt === 0) {
        state.messageStreamId = buffer.readUInt32LE(position + 7);
        this.lastMessageStreamId = state.messageStreamId;
        state.timestamp = timestampField;
      } else {
        state.timestamp = (state.timestamp + timestampField) >>> 0;
      }
      state.timestampField = timestampField;
      state.extendedTimestamp = extended;
    } else if (fmt === 2) {
      if (state.received > 0) this.assembler.abandon(state);
      state.timestamp = (state.timestamp + timestampField) >>> 0;
      state.timestampField = timestampField;
      state.extendedTimestamp = extended;
    } else if (state.received === 0) {
      // fmt 3 starting a new message repeats the last header's timestamp field as a delta.
      state.timestamp = (state.timestamp + state.timestampField) >>> 0;
    }

    if (state.messageLength === 0) {
      if (!this.skips(state)) this.deliver(state, buffer.subarray(after, after));
    } else {
      this.current = state;
      const left = state.messageLength - state.received;
      this.chunkRemaining = left < this.chunkSizeIn ? left : this.chunkSizeIn;
    }
    return after - start;
  }

  /** Reads what this buffer holds of the current chunk's payload. Returns the new position. */
  private readPayload(data: Buffer, position: number, end: number): number {
    const state = this.current as ChunkStreamState;
    const available = end - position;
    const count = available < this.chunkRemaining ? available : this.chunkRemaining;
    if (state.assembly === null && this.skips(state)) {
      // Read past: counted so the chunk framing holds, never copied or kept.
      state.received += count;
      this.chunkRemaining -= count;
      if (state.received === state.messageLength) state.received = 0;
      return position + count;
    }
    if (state.assembly === null) {
      if (count === state.messageLength) {
        // The whole message sits in this chunk and this buffer: hand out a view.
        this.chunkRemaining = 0;
        this.deliver(state, data.subarray(position, position + count));
        return position + count;
      }
      this.assembler.start(state, count);
    } else if (state.received + count > state.assembly.length) {
      this.assembler.grow(state, state.received + count);
    }
    data.copy(state.assembly as Buffer, state.received, position, position + count);
    state.received += count;
    this.chunkRemaining -= count;
    if (state.received === state.messageLength) this.deliver(state, this.assembler.finish(state));
    return position + count;
  }

  /** Whether the message on `state` is of a type read past (see ChunkReaderPolicy). */
  private skips(state: ChunkStreamState): boolean {
    return this.skipTypes !== undefined && this.skipTypes.has(state.typeId);
  }

  private deliver(state: ChunkStreamState, payload: Buffer): void {
    this.assembler.delivered();
    const typeId = state.typeId;
    // Applied whatever the chunk stream or msid, as FFmpeg does: a peer that sends them
    // elsewhere still frames what follows with the new size.
    if (typeId === MessageType.SetChunkSize) {
      this.chunkSizeIn = readChunkSize(payload, state.chunkStreamId, this.limits.maxChunkSize);
    } else if (typeId === MessageType.Abort) {
      const aborted = this.streams.lookup(readAbortedChunkStream(payload, state.chunkStreamId));
      if (aborted !== undefined && aborted.received > 0) this.assembler.abandon(aborted);
    }
    this.onMessage({
      chunkStreamId: state.chunkStreamId,
      messageStreamId: state.messageStreamId,
      typeId,
      timestamp: state.timestamp,
      payload,
    });
  }
}
