import fc from 'fast-check';
import { RegisteredPublisher, StreamRegistry } from './stream-registry';

const STALE_MS = 5_000;

/** A publisher whose evictions are recorded; `onEvict` plays the session's part. */
class FakePublisher implements RegisteredPublisher {
  readonly evictions: string[] = [];
  onEvict: () => void = () => undefined;

  constructor(
    readonly name: string,
    public lastMediaAt: number,
  ) {}

  evict(reason: string): void {
    this.evictions.push(reason);
    this.onEvict();
  }
}

describe('StreamRegistry', () => {
  let registry: StreamRegistry<FakePublisher>;

  beforeEach(() => {
    registry = new StreamRegistry<FakePublisher>(STALE_MS);
  });

  it('keys a stream by app and name', () => {
    expect(StreamRegistry.key('live', 'abc')).toBe('live/abc');
  });

  it('gives a free stream to its first publisher', () => {
    const first = new FakePublisher('first', 0);
    expect(registry.claim('live/a', first, 10)).toEqual({ claimed: true });
    expect(registry.get('live/a')).toBe(first);
    expect(registry.size).toBe(1);
    expect([...registry.keys()]).toEqual(['live/a']);
  });

  it('lets the holder claim its own stream again, without evicting itself', () => {
    const first = new FakePublisher('first', 0);
    registry.claim('live/a', first, 10);
    expect(registry.claim('live/a', first, 100_000)).toEqual({ claimed: true });
    expect(first.evictions).toEqual([]);
  });

  it('refuses a second publisher while the holder sent media within staleAfterMs', () => {
    const first = new FakePublisher('first', 1_000);
    const second = new FakePublisher('second', 0);
    registry.claim('live/a', first, 1_000);
    expect(registry.claim('live/a', second, 1_000 + STALE_MS - 1)).toEqual({
      claimed: false,
      holder: first,
    });
    expect(registry.get('live/a')).toBe(first);
    expect(first.evictions).toEqual([]);
  });

  it('keeps streams apart: another name or app is another stream', () => {
    const first = new FakePublisher('first', 0);
    const second = new FakePublisher('second', 0);
    const third = new FakePublisher('third', 0);
    registry.claim('live/a', first, 0);
    expect(registry.claim('live/b', second, 0)).toEqual({ claimed: true });
    expect(registry.claim('other/a', third, 0)).toEqual({ claimed: true });
    expect(registry.size).toBe(3);
  });

  it('hands a stream whose holder went silent for staleAfterMs to the newcomer, evicting once', () => {
    const first = new FakePublisher('first', 1_000);
    const second = new FakePublisher('second', 0);
    registry.claim('live/a', first, 1_000);
    const result = registry.claim('live/a', second, 1_000 + STALE_MS);
    expect(result).toEqual({ claimed: true, replaced: first });
    expect(registry.get('live/a')).toBe(second);
    expect(first.evictions).toHaveLength(1);
    expect(first.evictions[0]).toMatch(/replaced by a new publisher after 5000 ms without media/);
    expect(second.evictions).toEqual([]);
    expect(registry.size).toBe(1);
  });

  it('keeps the newcomer registered when the evicted publisher releases during eviction', () => {
    const first = new FakePublisher('first', 0);
    const second = new FakePublisher('second', 0);
    // As a session does: ending the stream releases it.
    first.onEvict = () => registry.release('live/a', first);
    registry.claim('live/a', first, 0);
    registry.claim('live/a', second, STALE_MS);
    expect(registry.get('live/a')).toBe(second);
  });

  it('ignores a later release by an evicted publisher', () => {
    const first = new FakePublisher('first', 0);
    const second = new FakePublisher('second', 0);
    registry.claim('live/a', first, 0);
    registry.claim('live/a', second, STALE_MS);
    registry.release('live/a', first);
    expect(registry.get('live/a')).toBe(second);
    expect(registry.size).toBe(1);
  });

  it('frees a stream its holder releases, and ignores releases by anyone else', () => {
    const first = new FakePublisher('first', 0);
    const stranger = new FakePublisher('stranger', 0);
    registry.claim('live/a', first, 0);
    registry.release('live/a', stranger);
    registry.release('live/unknown', first);
    expect(registry.get('live/a')).toBe(first);
    registry.release('live/a', first);
    expect(registry.get('live/a')).toBeUndefined();
    expect(registry.size).toBe(0);
    const next = new FakePublisher('next', 0);
    expect(registry.claim('live/a', next, 1)).toEqual({ claimed: true });
  });

  it('keeps at most one holder per stream and evicts each replaced holder exactly once', () => {
    type Step =
      | { kind: 'claim'; key: number; publisher: number; advance: number }
      | { kind: 'release'; key: number; publisher: number }
      | { kind: 'media'; publisher: number; advance: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('claim' as const),
        key: fc.nat(2),
        publisher: fc.nat(4),
        advance: fc.nat(2 * STALE_MS),
      }),
      fc.record({ kind: fc.constant('release' as const), key: fc.nat(2), publisher: fc.nat(4) }),
      fc.record({
        kind: fc.constant('media' as const),
        publisher: fc.nat(4),
        advance: fc.nat(STALE_MS),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const reg = new StreamRegistry<FakePublisher>(STALE_MS);
        const publishers = Array.from({ length: 5 }, (_, i) => new FakePublisher(`p${i}`, 0));
        // The model: which publisher holds which key, and how often each was replaced.
        const holders = new Map<string, FakePublisher>();
        const replaced = new Map<FakePublisher, number>();
        let now = 0;
        for (const s of steps) {
          const publisher = publishers[s.publisher];
          if (s.kind === 'media') {
            now += s.advance;
            publisher.lastMediaAt = now;
          } else if (s.kind === 'release') {
            const key = `live/${s.key}`;
            reg.release(key, publisher);
            if (holders.get(key) === publisher) holders.delete(key);
          } else {
            now += s.advance;
            const key = `live/${s.key}`;
            const holder = holders.get(key);
            const result = reg.claim(key, publisher, now);
            if (holder === undefined || holder === publisher) {
              expect(result).toEqual({ claimed: true });
              holders.set(key, publisher);
            } else if (now - holder.lastMediaAt < STALE_MS) {
              expect(result).toEqual({ claimed: false, holder });
            } else {
              expect(result).toEqual({ claimed: true, replaced: holder });
              replaced.set(holder, (replaced.get(holder) ?? 0) + 1);
              holders.set(key, publisher);
            }
          }
          expect(new Map([...reg.keys()].map((k) => [k, reg.get(k)]))).toEqual(holders);
        }
        for (const publisher of publishers) {
          expect(publisher.evictions).toHaveLength(replaced.get(publisher) ?? 0);
        }
      }),
    );
  });
});
