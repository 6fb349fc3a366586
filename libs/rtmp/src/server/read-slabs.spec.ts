import { INITIAL_READ_SLAB_BYTES, ReadSlabs } from './read-slabs';

/** Writes `bytes` where a read would, as Node does into the buffer it was offered. */
function read(slabs: ReadSlabs, bytes: Buffer): Buffer {
  const offered = slabs.nextReadBuffer();
  const nread = Math.min(bytes.length, offered.length);
  bytes.copy(offered, 0, 0, nread);
  return slabs.took(nread);
}

describe('ReadSlabs', () => {
  it('offers a first slab of INITIAL_READ_SLAB_BYTES, enough for C0+C1 in one read', () => {
    const slabs = new ReadSlabs(64 * 1024);
    expect(slabs.nextReadBuffer().length).toBe(INITIAL_READ_SLAB_BYTES);
    expect(INITIAL_READ_SLAB_BYTES).toBeGreaterThanOrEqual(1537);
  });

  it('hands out each read as a view, and never writes a byte twice while views exist', () => {
    const slabs = new ReadSlabs(4096);
    const views: Buffer[] = [];
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(1 + ((i * 37) % 700), i);
      sent.push(bytes.subarray(0, Math.min(bytes.length, slabs.nextReadBuffer().length)));
      views.push(read(slabs, bytes));
    }
    views.forEach((view, i) => expect(view.equals(sent[i])).toBe(true));
  });

  it('cuts consecutive reads from one slab while a quarter of it is left', () => {
    const slabs = new ReadSlabs(64 * 1024);
    const first = read(slabs, Buffer.alloc(1000, 1));
    const second = read(slabs, Buffer.alloc(500, 2));
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset + 1000);
    // 548 bytes left of 2048: more than a quarter, so the tail is offered.
    expect(slabs.nextReadBuffer().length).toBe(548);
    slabs.took(100);
    // 448 left: under a quarter, so a fresh slab.
    const fresh = slabs.nextReadBuffer();
    expect(fresh.buffer).not.toBe(first.buffer);
    expect(fresh.length).toBe(2048);
  });

  it('doubles its slabs, up to the maximum, while reads fill what they are offered', () => {
    const slabs = new ReadSlabs(16 * 1024);
    const sizes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const offered = slabs.nextReadBuffer();
      sizes.push(offered.length);
      slabs.took(offered.length);
    }
    expect(sizes).toEqual([2048, 4096, 8192, 16384, 16384, 16384, 16384, 16384]);
    expect(slabs.currentSlabBytes).toBe(16 * 1024);
  });

  it('keeps small slabs for a connection whose reads are small (idle, playing)', () => {
    const slabs = new ReadSlabs(64 * 1024);
    for (let i = 0; i < 100; i++) read(slabs, Buffer.alloc(16));
    expect(slabs.currentSlabBytes).toBe(INITIAL_READ_SLAB_BYTES);
  });

  it('never offers more than the maximum, even below the initial size', () => {
    expect(new ReadSlabs(1024).nextReadBuffer().length).toBe(1024);
  });

  it('refuses a read longer than it was offered, or one it did not offer', () => {
    const slabs = new ReadSlabs(4096);
    expect(() => slabs.took(1)).toThrow(RangeError);
    const offered = slabs.nextReadBuffer();
    expect(() => slabs.took(offered.length + 1)).toThrow(RangeError);
  });
});
