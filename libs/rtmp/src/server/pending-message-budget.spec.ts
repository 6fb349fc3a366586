import { ProtocolLimitError } from '../protocol/errors/protocol-limit.error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { PendingMessageBudget, PendingMessageHolder } from './pending-message-budget';

/** A connection holding `bytes`, which gives them back to `budget` when evicted. */
class Holder implements PendingMessageHolder {
  evictedWith: ProtocolLimitError | undefined;

  constructor(
    private readonly budget: () => PendingMessageBudget,
    public pendingMessageBytes: number,
    readonly accepted: boolean,
  ) {}

  hold(bytes: number): void {
    this.budget().reserve(this, bytes);
    this.pendingMessageBytes += bytes;
  }

  evictForMemory(error: ProtocolLimitError): void {
    this.evictedWith = error;
    this.budget().release(this.pendingMessageBytes);
    this.pendingMessageBytes = 0;
  }
}

function setUp(maxBytes: number): {
  budget: PendingMessageBudget;
  holder: (accepted: boolean) => Holder;
} {
  const holders: Holder[] = [];
  const budget = new PendingMessageBudget(maxBytes, () => holders);
  return {
    budget,
    holder: (accepted) => {
      const created = new Holder(() => budget, 0, accepted);
      holders.push(created);
      return created;
    },
  };
}

describe('PendingMessageBudget', () => {
  it('counts what every connection holds, and what they give back', () => {
    const { budget, holder } = setUp(1000);
    holder(false).hold(300);
    holder(true).hold(400);
    expect(budget.heldBytes).toBe(700);
    budget.release(300);
    expect(budget.heldBytes).toBe(400);
  });

  it('makes room by closing the largest connection not yet accepted, before any accepted one', () => {
    const { budget, holder } = setUp(1000);
    const publisher = holder(true);
    publisher.hold(500);
    const small = holder(false);
    small.hold(100);
    const large = holder(false);
    large.hold(300);
    const newcomer = holder(false);
    newcomer.hold(250);
    expect(large.evictedWith?.code).toBe(RtmpErrorCode.ChunkServerPendingBytesExceeded);
    expect(small.evictedWith).toBeUndefined();
    expect(publisher.evictedWith).toBeUndefined();
    expect(budget.heldBytes).toBe(850);
  });

  it('closes accepted connections, largest first, only when no other holds anything', () => {
    const { holder } = setUp(1000);
    const first = holder(true);
    first.hold(300);
    const second = holder(true);
    second.hold(600);
    const third = holder(true);
    third.hold(200);
    expect(second.evictedWith).toBeDefined();
    expect(first.evictedWith).toBeUndefined();
  });

  it('refuses the one asking when it is itself next in line', () => {
    const { budget, holder } = setUp(1000);
    const greedy = holder(false);
    greedy.hold(900);
    const other = holder(false);
    other.hold(50);
    expect(() => greedy.hold(100)).toThrow(ProtocolLimitError);
    expect(other.evictedWith).toBeUndefined();
    expect(budget.heldBytes).toBe(950);
  });

  it('refuses when nothing can be closed to make room', () => {
    const { holder } = setUp(100);
    expect(() => holder(false).hold(101)).toThrow(ProtocolLimitError);
  });
});
