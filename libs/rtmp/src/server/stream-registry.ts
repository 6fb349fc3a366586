/** What the registry needs to know about a publisher to arbitrate between two of them. */
export interface RegisteredPublisher {
  /** Milliseconds (monotonic clock) of the publisher's last media message. */
  readonly lastMediaAt: number;
  /** Ends the publisher because a newcomer replaced it. */
  evict(reason: string): void;
}

export type ClaimResult<T> =
  | { readonly claimed: true; readonly replaced?: T }
  | { readonly claimed: false; readonly holder: T };

/**
 * One publisher per stream (app + name). A second publish of a live stream is refused, unless
 * the live publisher has sent nothing for `staleAfterMs`: then it is a leftover of a dropped
 * network (the "already publishing" trap nginx-rtmp users fall into) and the newcomer wins.
 */
export class StreamRegistry<T extends RegisteredPublisher> {
  private readonly publishers = new Map<string, T>();

  constructor(private readonly staleAfterMs: number) {}

  static key(app: string, name: string): string {
    return `${app}/${name}`;
  }

  get size(): number {
    return this.publishers.size;
  }

  get(key: string): T | undefined {
    return this.publishers.get(key);
  }

  keys(): IterableIterator<string> {
    return this.publishers.keys();
  }

  /** Registers `publisher` for `key` if the stream is free or its holder is stale. */
  claim(key: string, publisher: T, now: number): ClaimResult<T> {
    const holder = this.publishers.get(key);
    if (holder === undefined || holder === publisher) {
      this.publishers.set(key, publisher);
      return { claimed: true };
    }
    if (now - holder.lastMediaAt < this.staleAfterMs) return { claimed: false, holder };
    this.publishers.set(key, publisher);
    holder.evict(`replaced by a new publisher after ${now - holder.lastMediaAt} ms without media`);
    return { claimed: true, replaced: holder };
  }

  /** Frees `key` if `publisher` still holds it (an evicted one no longer does). */
  release(key: string, publisher: T): void {
    if (this.publishers.get(key) === publisher) this.publishers.delete(key);
  }
}
