import { ProtocolLimitError } from '../protocol/errors/protocol-limit.error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';

/** A connection as the server-wide budget sees it. */
export interface PendingMessageHolder {
  /** Bytes its chunk reader holds in unfinished messages. */
  readonly pendingMessageBytes: number;
  /** Whether it publishes or plays (the verifier accepted it): closed only after the others. */
  readonly accepted: boolean;
  /** Closes it for `error`, giving its bytes back to the budget before returning. */
  evictForMemory(error: ProtocolLimitError): void;
}

/**
 * Bounds the bytes held in unfinished messages over every connection of a server
 * (`maxPendingMessageBytesTotal`). When a reservation would pass the bound, connections are
 * closed, the one holding the most first and one not yet accepted before any accepted one,
 * until it fits; when the one asking is itself next in line, it is refused instead.
 */
export class PendingMessageBudget {
  private held = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly holders: () => Iterable<PendingMessageHolder>,
  ) {}

  /** Bytes held now over all connections. */
  get heldBytes(): number {
    return this.held;
  }

  /** Reserves `bytes` for `requester`, closing others to make room; throws when it cannot. */
  reserve(requester: PendingMessageHolder, bytes: number): void {
    while (this.held + bytes > this.maxBytes) {
      const error = new ProtocolLimitError(
        RtmpErrorCode.ChunkServerPendingBytesExceeded,
        'maxPendingMessageBytesTotal',
        this.held + bytes,
        this.maxBytes,
      );
      const victim = this.nextToClose();
      if (victim === undefined || victim === requester) throw error;
      const before = this.held;
      victim.evictForMemory(error);
      // A holder that gave nothing back would be chosen forever.
      if (this.held >= before) throw error;
    }
    this.held += bytes;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }

  /** The connection holding the most, not-yet-accepted ones before accepted ones. */
  private nextToClose(): PendingMessageHolder | undefined {
    let unaccepted: PendingMessageHolder | undefined;
    let accepted: PendingMessageHolder | undefined;
    for (const holder of this.holders()) {
      const bytes = holder.pendingMessageBytes;
      if (bytes === 0) continue;
      if (!holder.accepted) {
        if (unaccepted === undefined || bytes > unaccepted.pendingMessageBytes) unaccepted = holder;
      } else if (accepted === undefined || bytes > accepted.pendingMessageBytes) {
        accepted = holder;
      }
    }
    return unaccepted ?? accepted;
  }
}
