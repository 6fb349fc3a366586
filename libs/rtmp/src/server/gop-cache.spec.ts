import fc from 'fast-check';
import { GopBlockPool } from './gop-block-pool';
import { GOP_CACHE_KEEP_AS_IS_BYTES, GopCache, GopCacheLimits } from './gop-cache';
import { AudioPacket, VideoPacket } from '../media/media-packet';
import { audioPacket, videoPacket } from '../media/testing/media-packet.fixtures';

const UNBOUNDED: GopCacheLimits = { enabled: true, maxFrames: 100_000, maxBytes: 100_000_000 };

/** A cache over tiny blocks, so that payloads cross block boundaries in every test. */
function smallBlockCache(
  limits: GopCacheLimits = UNBOUNDED,
  blockBytes = 16,
  keepAsIsBytes = GOP_CACHE_KEEP_AS_IS_BYTES,
) {
  const pool = new GopBlockPool(blockBytes);
  return { cache: new GopCache(limits, pool, keepAsIsBytes), pool };
}

/** `packet` with its payload in memory of its own, as the chunk reader assembles messages. */
function owningItsMemory<T extends AudioPacket | VideoPacket>(packet: T): T {
  const memory = new Uint8Array(packet.payload.length);
  memory.set(packet.payload);
  return { ...packet, payload: Buffer.from(memory.buffer) };
}

function summary(packets: readonly (AudioPacket | VideoPacket)[]) {
  return packets.map((packet) => ({
    type: packet.type,
    timestamp: packet.timestamp,
    payload: [...packet.payload],
  }));
}

describe('GopCache', () => {
  afterEach(() => jest.useRealTimers());

  it('gives back every message byte for byte, across block boundaries', () => {
    const { cache } = smallBlockCache();
    const delivered = [
      videoPacket(0, 'key', 40),
      audioPacket(10, false, 3),
      videoPacket(33, 'inter', 15),
      audioPacket(43, false, 30),
    ];
    cache.startGop(delivered[0] as VideoPacket);
    for (const packet of delivered.slice(1)) cache.append(packet);
    expect(cache.length).toBe(4);
    expect(cache.byteLength).toBe(delivered.reduce((sum, p) => sum + p.payload.length, 0));
    expect(summary(cache.packets())).toEqual(summary(delivered));
    // Parsed again: the FLV headers are those of the delivered packets.
    expect(cache.packets().map((p) => p.tag)).toEqual(delivered.map((p) => p.tag));
  });

  it('holds copies: the publisher may reuse its buffers after delivery', () => {
    const { cache } = smallBlockCache();
    const key = videoPacket(0, 'key', 20);
    cache.startGop(key);
    key.payload.fill(0xee);
    expect([...cache.packets()[0].payload]).toEqual([...videoPacket(0, 'key', 20).payload]);
  });

  it('keeps a large payload that is most of its memory as delivered, copies the others', () => {
    const { cache, pool } = smallBlockCache(UNBOUNDED, 1_024);
    const size = GOP_CACHE_KEEP_AS_IS_BYTES;
    const key = videoPacket(0, 'key', 10);
    // As the chunk reader assembles a multi-chunk message: a buffer of its own.
    const ownFrame = owningItsMemory(videoPacket(5, 'inter', size));
    expect(ownFrame.payload.byteOffset === 0 && ownFrame.payload.buffer.byteLength).toBe(size + 5);
    const audio = audioPacket(10, false, 20);
    // A frame that filled most of a socket read: a view, but keeping it pins little else.
    const fullRead = Buffer.concat([Buffer.alloc(7), videoPacket(33, 'inter', size).payload]);
    const mostOfARead = { ...videoPacket(33, 'inter', size), payload: fullRead.subarray(7) };
    // A frame in a read three times its size: keeping it would pin twice its size.
    const bigRead = Buffer.concat([
      videoPacket(66, 'inter', size).payload,
      Buffer.alloc(2 * (size + 5)),
    ]);
    const smallPartOfARead = {
      ...videoPacket(66, 'inter', size),
      payload: bigRead.subarray(0, size + 5),
    };
    cache.startGop(key);
    cache.append(ownFrame);
    cache.append(audio);
    cache.append(mostOfARead);
    cache.append(smallPartOfARead);
    const copied = key.payload.length + audio.payload.length + size + 5;
    expect(cache.byteLength).toBe(copied + 2 * (size + 5));
    // Only the keyframe, the audio and the frame in the big read went to the blocks.
    expect(cache.capacityBytes).toBe(Math.ceil(copied / 1_024) * 1_024);
    const packets = cache.packets();
    expect(packets[1].payload).toBe(ownFrame.payload);
    expect(packets[3].payload).toBe(mostOfARead.payload);
    expect(packets[4].payload.buffer).not.toBe(bigRead.buffer);
    expect(summary(packets)).toEqual(
      summary([key, ownFrame, audio, mostOfARead, smallPartOfARead]),
    );
    cache.clear();
    expect(pool.freeBlocks).toBe(Math.ceil(copied / 1_024));
  });

  it('copies keyframes however large: they live the whole GOP', () => {
    const { cache } = smallBlockCache(UNBOUNDED, 1_024);
    const size = 2 * GOP_CACHE_KEEP_AS_IS_BYTES;
    const ownKey = owningItsMemory(videoPacket(0, 'key', size));
    // A second keyframe within the GOP (another track's, in a multitrack stream) as well.
    const otherKey = owningItsMemory(videoPacket(0, 'key', size));
    const originals = [[...ownKey.payload], [...otherKey.payload]];
    cache.startGop(ownKey);
    cache.append(otherKey);
    expect(cache.capacityBytes).toBe(Math.ceil((2 * (size + 5)) / 1_024) * 1_024);
    ownKey.payload.fill(0xee);
    otherKey.payload.fill(0xee);
    const replayed = cache.packets();
    const replayedMemory = replayed.map((packet) => packet.payload.buffer);
    expect(replayedMemory).not.toContain(ownKey.payload.buffer);
    expect(replayedMemory).not.toContain(otherKey.payload.buffer);
    expect(replayed.map((packet) => [...packet.payload])).toEqual(originals);
  });

  it('hands out payloads that stay intact while the cache reuses its blocks', () => {
    const { cache } = smallBlockCache();
    cache.startGop(videoPacket(0, 'key', 40));
    cache.append(audioPacket(10, false, 20));
    const replayed = cache.packets();
    const before = summary(replayed);
    // The next GOP is written into the same blocks.
    cache.startGop(videoPacket(2_000, 'key', 40));
    cache.append(audioPacket(2_010, false, 20));
    expect(summary(replayed)).toEqual(before);
    expect(summary(cache.packets())[0].timestamp).toBe(2_000);
  });

  it('shares replay copies between the players of one GOP and copies only what is new', () => {
    const { cache } = smallBlockCache();
    cache.startGop(videoPacket(0, 'key', 40));
    const first = cache.packets();
    cache.append(videoPacket(33, 'inter', 20));
    const second = cache.packets();
    expect(second[0]).toBe(first[0]);
    expect(second[1].payload.buffer).not.toBe(first[0].payload.buffer);
    expect(cache.packets()[1]).toBe(second[1]);
    // A new GOP starts fresh copies.
    cache.startGop(videoPacket(2_000, 'key', 40));
    expect(cache.packets()[0]).not.toBe(first[0]);
  });

  it('keeps as many blocks as the GOP that ended filled, and gives the rest back to the pool', () => {
    const { cache, pool } = smallBlockCache();
    cache.startGop(videoPacket(0, 'key', 155)); // 160 bytes: 10 blocks of 16
    expect(cache.capacityBytes).toBe(160);
    cache.startGop(videoPacket(2_000, 'key', 27)); // 32 bytes
    expect(cache.capacityBytes).toBe(160); // what the last GOP needed, for the next one
    const freeBefore = pool.freeBlocks;
    cache.startGop(videoPacket(4_000, 'key', 27));
    expect(cache.capacityBytes).toBe(32);
    expect(pool.freeBlocks).toBe(freeBefore + 8);
    cache.clear();
    expect(cache.capacityBytes).toBe(0);
    expect(cache.length).toBe(0);
    expect(cache.packets()).toEqual([]);
  });

  it('takes blocks from the pool before allocating: streams reuse what others gave back', () => {
    const pool = new GopBlockPool(16);
    const ended = new GopCache(UNBOUNDED, pool);
    ended.startGop(videoPacket(0, 'key', 59)); // 64 bytes: 4 blocks
    ended.clear();
    const free = pool.freeBlocks;
    const next = new GopCache(UNBOUNDED, pool);
    next.startGop(videoPacket(0, 'key', 59));
    expect(pool.freeBlocks).toBe(free - 4);
  });

  it('drops a GOP that outgrows maxFrames or maxBytes, and keeps nothing until the next keyframe', () => {
    const { cache, pool } = smallBlockCache({ enabled: true, maxFrames: 3, maxBytes: 100 });
    cache.startGop(videoPacket(0, 'key', 20));
    cache.append(audioPacket(10));
    cache.append(audioPacket(20));
    expect(cache.length).toBe(3);
    cache.append(audioPacket(30));
    expect(cache.length).toBe(0);
    expect(cache.capacityBytes).toBe(0);
    cache.append(audioPacket(40));
    expect(cache.length).toBe(0);

    cache.startGop(videoPacket(1_000, 'key', 60));
    cache.append(videoPacket(1_033, 'inter', 60)); // past 100 bytes
    expect(cache.length).toBe(0);
    cache.startGop(videoPacket(2_000, 'key', 200)); // a keyframe alone past the budget
    expect(cache.length).toBe(0);
    expect(cache.capacityBytes).toBe(0);
    expect(pool.freeBlocks).toBeGreaterThan(0);
  });

  it('replays nothing of a GOP holding a message it cannot parse again (a wrong LocalPublisher tag)', () => {
    const { cache } = smallBlockCache();
    const key = videoPacket(0, 'key', 20);
    cache.startGop(key);
    expect(cache.packets()).toHaveLength(1);
    // A tag the payload does not hold: an empty video payload.
    cache.append({ ...key, timestamp: 33, payload: Buffer.alloc(0) });
    expect(cache.length).toBe(2);
    expect(cache.packets()).toEqual([]);
    cache.append(audioPacket(40));
    expect(cache.packets()).toEqual([]);
    // The next GOP is replayed again.
    cache.startGop(videoPacket(2_000, 'key', 20));
    expect(summary(cache.packets())).toEqual(summary([videoPacket(2_000, 'key', 20)]));
  });

  it('caches nothing when disabled', () => {
    const { cache } = smallBlockCache({ enabled: false, maxFrames: 10, maxBytes: 1_000 });
    cache.startGop(videoPacket(0, 'key'));
    cache.append(audioPacket(10));
    expect(cache.length).toBe(0);
    expect(cache.capacityBytes).toBe(0);
  });

  it('grows past its initial message capacity', () => {
    const { cache } = smallBlockCache(UNBOUNDED, 4_096);
    cache.startGop(videoPacket(0, 'key'));
    for (let i = 1; i < 1_000; i += 1) cache.append(audioPacket(i, false, i % 7));
    const packets = cache.packets();
    expect(packets).toHaveLength(1_000);
    expect(packets[999].timestamp).toBe(999);
    expect(packets[999].payload.length).toBe(2 + (999 % 7));
  });

  it('matches a plain list of copies whatever the sequence of GOPs, sizes and reads', () => {
    type Step =
      | { kind: 'key'; size: number; owned: boolean }
      | { kind: 'video' | 'audio'; size: number; owned: boolean }
      | { kind: 'read' }
      | { kind: 'clear' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('key' as const),
        size: fc.integer({ min: 0, max: 90 }),
        owned: fc.boolean(),
      }),
      fc.record({
        kind: fc.constantFrom('video' as const, 'audio' as const),
        size: fc.integer({ min: 0, max: 70 }),
        // Payloads with memory of their own: kept as delivered from KEEP_AS_IS bytes up,
        // keyframes apart; the others are views in much larger buffers, always copied.
        owned: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('read' as const) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 50, max: 600 }),
        (steps, blockBytes, maxBytes) => {
          const limits = { enabled: true, maxFrames: 12, maxBytes };
          const KEEP_AS_IS = 40;
          const { cache } = smallBlockCache(limits, blockBytes, KEEP_AS_IS);
          /** Bytes of the model's payloads that went to the blocks (not kept as delivered). */
          const blocked = (packets: readonly (AudioPacket | VideoPacket)[]): number =>
            packets
              .filter(
                (packet) =>
                  (packet.type === 'video' && packet.tag.isKeyFrame) ||
                  packet.payload.length < KEEP_AS_IS ||
                  packet.payload.length * 2 < packet.payload.buffer.byteLength,
              )
              .reduce((sum, p) => sum + p.payload.length, 0);
          let model: (AudioPacket | VideoPacket)[] = [];
          let modelBytes = 0;
          /** Blocks kept from the previous GOP (for the next one), in the model. */
          let keptBlocks = 0;
          const reads: { packets: (AudioPacket | VideoPacket)[]; expected: unknown }[] = [];
          steps.forEach((s, time) => {
            if (s.kind === 'clear') {
              cache.clear();
              model = [];
              modelBytes = 0;
              keptBlocks = 0;
            } else if (s.kind === 'read') {
              const packets = cache.packets();
              reads.push({ packets, expected: summary(model) });
            } else if (s.kind === 'key') {
              const delivered = videoPacket(time, 'key', s.size);
              const key = s.owned ? owningItsMemory(delivered) : delivered;
              cache.startGop(key);
              keptBlocks = Math.ceil(blocked(model) / blockBytes);
              const fits = key.payload.length <= maxBytes;
              model = fits ? [key] : [];
              modelBytes = fits ? key.payload.length : 0;
            } else {
              const delivered =
                s.kind === 'video'
                  ? videoPacket(time, 'inter', s.size)
                  : audioPacket(time, false, s.size);
              // Not owned: a view inside a larger buffer, as a socket read delivers it.
              const packet = s.owned
                ? owningItsMemory(delivered)
                : {
                    ...delivered,
                    payload: Buffer.concat([Buffer.alloc(1), delivered.payload]).subarray(1),
                  };
              cache.append(packet);
              if (model.length === 0) return;
              if (model.length >= 12 || modelBytes + packet.payload.length > maxBytes) {
                model = [];
                modelBytes = 0;
                keptBlocks = 0;
              } else {
                model.push(packet);
                modelBytes += packet.payload.length;
              }
            }
            expect(cache.length).toBe(model.length);
            expect(cache.byteLength).toBe(modelBytes);
            // Memory: whole blocks, those the larger of this GOP and the last one fill.
            const blocks = Math.max(keptBlocks, Math.ceil(blocked(model) / blockBytes));
            expect(cache.capacityBytes).toBe(blocks * blockBytes);
          });
          expect(summary(cache.packets())).toEqual(summary(model));
          // Every earlier read is still intact, whatever was written since.
          for (const read of reads) expect(summary(read.packets)).toEqual(read.expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
