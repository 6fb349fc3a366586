import { GopBlockPool } from './gop-block-pool';

describe('GopBlockPool', () => {
  afterEach(() => jest.useRealTimers());

  it('hands out blocks of its size, and a block given back is the next one taken', () => {
    const pool = new GopBlockPool(32);
    const block = pool.take();
    expect(block.length).toBe(32);
    pool.give(block);
    expect(pool.take()).toBe(block);
    pool.drain();
  });

  it('keeps nothing and holds no timer once closed (its server has closed)', () => {
    jest.useFakeTimers();
    const pool = new GopBlockPool(32, 1_000);
    const blocks = [pool.take(), pool.take()];
    pool.give(blocks[0]);
    expect(jest.getTimerCount()).toBe(1);
    pool.close();
    expect(pool.freeBlocks).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    pool.give(blocks[1]); // a stream that ended late
    expect(pool.freeBlocks).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(pool.take().length).toBe(32); // still usable: allocates
  });

  it('ignores a buffer that is not one of its blocks', () => {
    const pool = new GopBlockPool(32);
    pool.give(Buffer.alloc(16));
    expect(pool.freeBlocks).toBe(0);
  });

  it('lets go of blocks that stayed free for a whole interval, keeps those needed in it', () => {
    jest.useFakeTimers();
    const pool = new GopBlockPool(32, 1_000);
    const blocks = Array.from({ length: 16 }, () => pool.take());
    expect(pool.freeBlocks).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    // A stream ends: its 16 blocks come back; the first one given starts the release timer,
    // whose first check counts only what was free when it started (that first block).
    for (const block of blocks) pool.give(block);
    jest.advanceTimersByTime(1_000);
    expect(pool.freeBlocks).toBe(15);
    // In the next interval a new stream takes 4 and gives 2 back: at least 11 stayed free.
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()];
    pool.give(taken.pop() as Buffer);
    pool.give(taken.pop() as Buffer);
    expect(pool.freeBlocks).toBe(13);
    jest.advanceTimersByTime(1_000);
    expect(pool.freeBlocks).toBe(2);
    jest.advanceTimersByTime(1_000);
    expect(pool.freeBlocks).toBe(0);
    // With nothing free, the pool holds no timer.
    expect(jest.getTimerCount()).toBe(0);
  });
});
