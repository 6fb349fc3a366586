import { ChunkStreamError } from '../errors/chunk-stream.error';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { DEFAULT_CHUNK_SIZE, DEFAULT_PROTOCOL_LIMITS, ProtocolLimits } from '../limits';
import { MessageType } from '../message/message-type';
import { RtmpMessage } from '../message/rtmp-message';
import { ChunkMemoryBudget } from './chunk-memory-budget';
import { ChunkStreamState } from './chunk-stream-state';
import {
  EXTENDED_TIMESTAMP_MARKER,
  LOW_CHUNK_STREAM_IDS,
  MAX_CHUNK_HEADER_SIZE,
  MESSAGE_HEADER_LENGTH,
} from './chunk.constants';

/** Slots the low chunk-stream table starts with: ids 0..9 cover FFmpeg and OBS. */
const INITIAL_LOW_SLOTS = 10;
/**
 * Smallest buffer a growing message starts with: small enough to come from Node's shared pool,
 * so a header that announces megabytes and sends one byte costs next to nothing.
 */
const MIN_ASSEMBLY_BYTES = 4 * 1024;
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
/** Messages delivered in full that earn back one abandoned message. */
const DELIVERED_PER_ABANDON_FORGIVEN = 64;

export type ChunkMessageHandler = (message: RtmpMessage) => void;

/** How a reader treats a peer, apart from its limits: set at first, changed by `reconfigure`. */
export interface ChunkReaderPolicy {
  /**
   * Give a message spread over chunks the buffer its header announces at its first chunk (one
   * allocation, no regrowth: for a peer the application accepted). Otherwise the buffer grows
   * with what arrives. Default false.
   */
  readonly allocateAnnouncedSize?: boolean;
  /**
   * Message types read past without being buffered or delivered (their announced size is still
   * checked): what the owner would drop anyway, such as media from a peer not yet accepted.
   */
  readonly skipMessageTypes?: ReadonlySet<number>;
}

export type ChunkReaderLimits = Pick<
  ProtocolLimits,
  | 'maxMessageSize'
  | 'maxChunkSize'
  | 'maxChunkStreams'
  | 'maxPendingMessageBytes'
  | 'maxAbandonedMessages'
>;

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
  /** Whether a multi-chunk message gets its announced size at once (see ChunkReaderPolicy). */
  private allocateAnnounced: boolean;
  /** Types read past unbuffered (see ChunkReaderPolicy); undefined for none, the fast path. */
  private skipTypes: ReadonlySet<number> | undefined;
  private chunkSizeIn = DEFAULT_CHUNK_SIZE;
  /**
   * Chunk streams by id below {@link LOW_CHUNK_STREAM_IDS}, grown as ids are opened: encoders use
   * two to five of them (FFmpeg 2, 3, 4, 8, 9), so an idle connection need not hold 64 slots.
   */
  private readonly lowStreams: (ChunkStreamState | undefined)[] = new Array(INITIAL_LOW_SLOTS);
  /** The rare higher ids; created on the first one. */
  private highStreams: Map<number, ChunkStreamState> | undefined;
  private streamCount = 0;
  private pendingBytes = 0;
  /** Bytes of a chunk header that was cut by the end of the previous socket buffer. */
  private headerStash: Buffer | null = null;
  /** The chunk stream whose chunk payload is being read, and how much of it is still due. */
  private current: ChunkStreamState | null = null;
  private chunkRemaining = 0;
  /** msid of the latest fmt 0 header, lent to a chunk stream that opens with fmt 1. */
  private lastMessageStreamId = 0;
  /** Messages abandoned and not yet earned back (see `maxAbandonedMessages`). */
  private abandoned = 0;
  /** Messages still to deliver before one abandoned message is earned back. */
  private forgiveCountdown = DELIVERED_PER_ABANDON_FORGIVEN;
  private failure: RtmpError | null = null;

  /**
   * @param budget told of every byte held in partial messages, e.g. a server's budget over all
   *   its connections; it may refuse more.
   */
  constructor(
    private readonly onMessage: ChunkMessageHandler,
    limits: Partial<ChunkReaderLimits> = {},
    private readonly budget?: ChunkMemoryBudget,
    policy: ChunkReaderPolicy = {},
  ) {
    this.limits = pickLimits(limits);
    this.allocateAnnounced = policy.allocateAnnouncedSize ?? false;
    this.skipTypes = policy.skipMessageTypes;
  }

  /**
   * Changes the limits and the policy, e.g. once the peer is accepted: limits apply from the
   * next header on, the policy from the next message on (one being read goes on as it began).
   */
  reconfigure(limits: Partial<ChunkReaderLimits>, policy: ChunkReaderPolicy): void {
    this.limits = pickLimits(limits);
    this.allocateAnnounced = policy.allocateAnnouncedSize ?? false;
    this.skipTypes = policy.skipMessageTypes;
  }

  /**
   * Drops every partial message and gives its bytes back to the budget, for a connection that
   * is going away; further input is refused.
   */
  release(): void {
    for (const state of this.lowStreams) if (state !== undefined) this.dropAssembly(state);
    if (this.highStreams !== undefined) {
      for (const state of this.highStreams.values()) this.dropAssembly(state);
    }
    this.failure ??= released();
  }

  /** The chunk size the peer currently sends with. */
  get chunkSize(): number {
    return this.chunkSizeIn;
  }

  /** Bytes held in messages that are not complete yet. */
  get pendingMessageBytes(): number {
    return this.pendingBytes;
  }

  get chunkStreamCount(): number {
    return this.streamCount;
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

    let state = this.lookupStream(chunkStreamId);
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
      state = this.openStream(chunkStreamId);
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
      if (state.received > 0) this.dropPartialMessage(state);
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
      if (state.received > 0) this.dropPartialMessage(state);
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
      this.startAssembly(state, count);
    } else if (state.received + count > (state.assembly as Buffer).length) {
      this.growAssembly(state, state.received + count);
    }
    const assembly = state.assembly as Buffer;
    data.copy(assembly, state.received, position, position + count);
    state.received += count;
    this.chunkRemaining -= count;
    if (state.received === state.messageLength) {
      // The buffer never grows past the message, so it is exactly the message now.
      state.assembly = null;
      state.received = 0;
      this.releaseBytes(assembly.length);
      this.deliver(state, assembly);
    }
    return position + count;
  }

  /** Whether the message on `state` is of a type read past (see ChunkReaderPolicy). */
  private skips(state: ChunkStreamState): boolean {
    return this.skipTypes !== undefined && this.skipTypes.has(state.typeId);
  }

  /** A buffer for a message's first `count` bytes: its announced size, or room to grow into. */
  private startAssembly(state: ChunkStreamState, count: number): void {
    const length = state.messageLength;
    const size = this.allocateAnnounced
      ? length
      : Math.min(length, Math.max(count, MIN_ASSEMBLY_BYTES));
    this.reserveBytes(size);
    state.assembly = Buffer.allocUnsafe(size);
  }

  /** Regrows a message's buffer to hold `needed` bytes: at least doubling, never past the message. */
  private growAssembly(state: ChunkStreamState, needed: number): void {
    const old = state.assembly as Buffer;
    const size = Math.min(state.messageLength, Math.max(needed, old.length * 2));
    this.reserveBytes(size - old.length);
    const grown = Buffer.allocUnsafe(size);
    old.copy(grown, 0, 0, state.received);
    state.assembly = grown;
  }

  private reserveBytes(bytes: number): void {
    const total = this.pendingBytes + bytes;
    if (total > this.limits.maxPendingMessageBytes) {
      throw new ProtocolLimitError(
        RtmpErrorCode.ChunkPendingBytesExceeded,
        'maxPendingMessageBytes',
        total,
        this.limits.maxPendingMessageBytes,
      );
    }
    this.budget?.reserveMessageBytes(bytes);
    this.pendingBytes = total;
  }

  private releaseBytes(bytes: number): void {
    this.pendingBytes -= bytes;
    this.budget?.releaseMessageBytes(bytes);
  }

  /** A message that will never be finished: its bytes go, and it counts against the peer. */
  private dropPartialMessage(state: ChunkStreamState): void {
    this.dropAssembly(state);
    this.abandoned += 1;
    if (this.abandoned > this.limits.maxAbandonedMessages) {
      throw new ProtocolLimitError(
        RtmpErrorCode.ChunkAbandonedMessages,
        'maxAbandonedMessages',
        this.abandoned,
        this.limits.maxAbandonedMessages,
      );
    }
  }

  private dropAssembly(state: ChunkStreamState): void {
    if (state.assembly !== null) this.releaseBytes(state.assembly.length);
    state.assembly = null;
    state.received = 0;
  }

  private deliver(state: ChunkStreamState, payload: Buffer): void {
    if (this.abandoned > 0 && --this.forgiveCountdown === 0) {
      this.abandoned -= 1;
      this.forgiveCountdown = DELIVERED_PER_ABANDON_FORGIVEN;
    }
    const typeId = state.typeId;
    // Applied whatever the chunk stream or msid, as FFmpeg does: a peer that sends them
    // elsewhere still frames what follows with the new size.
    if (typeId === MessageType.SetChunkSize) this.applyChunkSize(payload, state);
    else if (typeId === MessageType.Abort) this.applyAbort(payload, state);
    this.onMessage({
      chunkStreamId: state.chunkStreamId,
      messageStreamId: state.messageStreamId,
      typeId,
      timestamp: state.timestamp,
      payload,
    });
  }

  private applyChunkSize(payload: Buffer, state: ChunkStreamState): void {
    if (payload.length < 4) {
      throw new ChunkStreamError(
        RtmpErrorCode.ChunkSizeInvalid,
        `SetChunkSize payload is ${payload.length} byte(s), needs 4`,
        { chunkStreamId: state.chunkStreamId, length: payload.length },
      );
    }
    // The top bit must be zero (SPEC §5.4.1); ignore it as FFmpeg does, then range-check.
    const size = payload.readUInt32BE(0) & 0x7fffffff;
    if (size < 1) {
      throw new ChunkStreamError(RtmpErrorCode.ChunkSizeInvalid, 'SetChunkSize of 0', {
        chunkStreamId: state.chunkStreamId,
      });
    }
    if (size > this.limits.maxChunkSize) {
      throw new ProtocolLimitError(
        RtmpErrorCode.ChunkSizeTooLarge,
        'maxChunkSize',
        size,
        this.limits.maxChunkSize,
      );
    }
    this.chunkSizeIn = size;
  }

  private applyAbort(payload: Buffer, state: ChunkStreamState): void {
    if (payload.length < 4) {
      throw new ChunkStreamError(
        RtmpErrorCode.MessageMalformed,
        `Abort payload is ${payload.length} byte(s), needs 4`,
        { chunkStreamId: state.chunkStreamId, length: payload.length },
      );
    }
    const aborted = this.lookupStream(payload.readUInt32BE(0));
    if (aborted !== undefined && aborted.received > 0) this.dropPartialMessage(aborted);
  }

  private lookupStream(chunkStreamId: number): ChunkStreamState | undefined {
    return chunkStreamId < LOW_CHUNK_STREAM_IDS
      ? this.lowStreams[chunkStreamId]
      : this.highStreams?.get(chunkStreamId);
  }

  private openStream(chunkStreamId: number): ChunkStreamState {
    if (this.streamCount >= this.limits.maxChunkStreams) {
      throw new ProtocolLimitError(
        RtmpErrorCode.ChunkStreamsExceeded,
        'maxChunkStreams',
        this.streamCount + 1,
        this.limits.maxChunkStreams,
      );
    }
    const state = new ChunkStreamState(chunkStreamId);
    if (chunkStreamId < LOW_CHUNK_STREAM_IDS) this.lowStreams[chunkStreamId] = state;
    else (this.highStreams ??= new Map()).set(chunkStreamId, state);
    this.streamCount += 1;
    return state;
  }
}

/**
 * Keeps only the limits a reader uses: callers pass whole option objects (a server's has dozens
 * of fields), and a copy of all of them per connection is memory an idle one need not hold.
 * Read one by one: spreading such an object (`{ ...defaults, ...limits }`) allocated garbage for
 * each connection as it grew the copy property by property (bench/profile-notes.md, "Memory:
 * idle connections").
 */
function pickLimits(limits: Partial<ChunkReaderLimits>): ChunkReaderLimits {
  const defaults = DEFAULT_PROTOCOL_LIMITS;
  return {
    maxMessageSize: limits.maxMessageSize ?? defaults.maxMessageSize,
    maxChunkSize: limits.maxChunkSize ?? defaults.maxChunkSize,
    maxChunkStreams: limits.maxChunkStreams ?? defaults.maxChunkStreams,
    maxPendingMessageBytes: limits.maxPendingMessageBytes ?? defaults.maxPendingMessageBytes,
    maxAbandonedMessages: limits.maxAbandonedMessages ?? defaults.maxAbandonedMessages,
  };
}
