import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { ChunkMemoryBudget } from './chunk-memory-budget';
import { ChunkReaderLimits } from './chunk-reader.options';
import { ChunkStreamState } from './chunk-stream-state';

/**
 * Smallest buffer a growing message starts with: small enough to come from Node's shared pool,
 * so a header that announces megabytes and sends one byte costs next to nothing.
 */
const MIN_ASSEMBLY_BYTES = 4 * 1024;
/** Messages delivered in full that earn back one abandoned message. */
const DELIVERED_PER_ABANDON_FORGIVEN = 64;

/**
 * The buffers of a reader's messages spread over chunks (`ChunkStreamState.assembly`), and what
 * bounds them: the bytes they hold (`maxPendingMessageBytes`, and the owner's budget, told of
 * every byte) and the messages a peer abandoned unfinished (`maxAbandonedMessages`, earned back
 * by messages delivered). The reader copies the bytes in; this allocates, grows and lets go.
 */
export class MessageAssembler {
  private pendingBytes = 0;
  /** Messages abandoned and not yet earned back (see `maxAbandonedMessages`). */
  private abandoned = 0;
  /** Messages still to deliver before one abandoned message is earned back. */
  private forgiveCountdown = DELIVERED_PER_ABANDON_FORGIVEN;

  /**
   * @param allocateAnnounced whether a message gets its announced size at once (see
   *   ChunkReaderPolicy).
   */
  constructor(
    private limits: ChunkReaderLimits,
    private allocateAnnounced: boolean,
    private readonly budget: ChunkMemoryBudget | undefined,
  ) {}

  /** Bytes held in messages that are not complete yet. */
  get pending(): number {
    return this.pendingBytes;
  }

  /** New limits and policy: from the next message on (one being assembled goes on as it began). */
  configure(limits: ChunkReaderLimits, allocateAnnounced: boolean): void {
    this.limits = limits;
    this.allocateAnnounced = allocateAnnounced;
  }

  /** A buffer for a message's first `count` bytes: its announced size, or room to grow into. */
  start(state: ChunkStreamState, count: number): void {
    const length = state.messageLength;
    const size = this.allocateAnnounced
      ? length
      : Math.min(length, Math.max(count, MIN_ASSEMBLY_BYTES));
    this.reserve(size);
    state.assembly = Buffer.allocUnsafe(size);
  }

  /** Regrows a message's buffer to hold `needed` bytes: at least doubling, never past the message. */
  grow(state: ChunkStreamState, needed: number): void {
    const old = state.assembly as Buffer;
    const size = Math.min(state.messageLength, Math.max(needed, old.length * 2));
    this.reserve(size - old.length);
    const grown = Buffer.allocUnsafe(size);
    old.copy(grown, 0, 0, state.received);
    state.assembly = grown;
  }

  /** The message on `state` is complete: hands over its buffer, which no longer counts as held. */
  finish(state: ChunkStreamState): Buffer {
    // The buffer never grows past the message, so it is exactly the message now.
    const assembly = state.assembly as Buffer;
    state.assembly = null;
    state.received = 0;
    this.release(assembly.length);
    return assembly;
  }

  /** A message that will never be finished: its bytes go, and it counts against the peer. */
  abandon(state: ChunkStreamState): void {
    this.drop(state);
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

  /** Lets go of the message on `state`, if any, without counting it against the peer. */
  drop(state: ChunkStreamState): void {
    if (state.assembly !== null) this.release(state.assembly.length);
    state.assembly = null;
    state.received = 0;
  }

  /** A message was delivered (of any size, buffered or not): it earns back abandoned ones. */
  delivered(): void {
    if (this.abandoned > 0 && --this.forgiveCountdown === 0) {
      this.abandoned -= 1;
      this.forgiveCountdown = DELIVERED_PER_ABANDON_FORGIVEN;
    }
  }

  private reserve(bytes: number): void {
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

  private release(bytes: number): void {
    this.pendingBytes -= bytes;
    this.budget?.releaseMessageBytes(bytes);
  }
}
