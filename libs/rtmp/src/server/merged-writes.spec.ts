import { MergedWriteTarget, MergedWrites } from './merged-writes';

/** A connection that records each write it is given, as the buffers' first bytes. */
function recordingTarget(accepts = true): MergedWriteTarget & { writes: number[][] } {
  const writes: number[][] = [];
  return {
    writes,
    writeEncoded: (parts) => {
      writes.push(parts.map((part) => part[0]));
      return accepts;
    },
  };
}

const bytes = (tag: number, length = 10): Buffer => Buffer.alloc(length, tag);

describe('MergedWrites', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("writes each player's waiting messages in order, as one write per interval", () => {
    const merged = new MergedWrites(50);
    const a = recordingTarget();
    const b = recordingTarget();
    const queueA = merged.queueFor(a);
    const queueB = merged.queueFor(b);
    queueA.add(bytes(1));
    queueB.add(bytes(7));
    queueA.add(bytes(2));
    queueA.add(bytes(3));
    expect(queueA.byteLength).toBe(30);
    jest.advanceTimersByTime(49);
    expect(a.writes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(a.writes).toEqual([[1, 2, 3]]);
    expect(b.writes).toEqual([[7]]);
    expect(queueA.byteLength).toBe(0);
  });

  it('arms its timer only while something waits', () => {
    const merged = new MergedWrites(50);
    const target = recordingTarget();
    const queue = merged.queueFor(target);
    jest.advanceTimersByTime(200);
    expect(jest.getTimerCount()).toBe(0);
    queue.add(bytes(1));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(50);
    expect(jest.getTimerCount()).toBe(0);
    queue.add(bytes(2));
    jest.advanceTimersByTime(50);
    expect(target.writes).toEqual([[1], [2]]);
  });

  it('flushes one queue early (before a message that must follow its media), leaving the others to the timer', () => {
    const merged = new MergedWrites(50);
    const a = recordingTarget();
    const b = recordingTarget();
    const queueA = merged.queueFor(a);
    merged.queueFor(b).add(bytes(9));
    queueA.add(bytes(1));
    queueA.flush();
    expect(a.writes).toEqual([[1]]);
    expect(b.writes).toEqual([]);
    jest.advanceTimersByTime(50);
    expect(a.writes).toEqual([[1]]);
    expect(b.writes).toEqual([[9]]);
  });

  it('drops what waits for a player that stopped, and everything when closed', () => {
    const merged = new MergedWrites(50);
    const a = recordingTarget();
    const b = recordingTarget();
    const queueA = merged.queueFor(a);
    const queueB = merged.queueFor(b);
    queueA.add(bytes(1));
    queueB.add(bytes(2));
    queueA.discard();
    expect(queueA.byteLength).toBe(0);
    merged.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    expect(a.writes).toEqual([]);
    expect(b.writes).toEqual([]);
  });

  it('goes on with the other players when one connection refuses its write', () => {
    const merged = new MergedWrites(50);
    const refusing = recordingTarget(false);
    const fine = recordingTarget();
    merged.queueFor(refusing).add(bytes(1));
    merged.queueFor(fine).add(bytes(2));
    jest.advanceTimersByTime(50);
    expect(refusing.writes).toEqual([[1]]);
    expect(fine.writes).toEqual([[2]]);
  });
});
