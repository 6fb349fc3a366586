/** Something that wants to hear about failures of the listeners it calls. */
export type ListenerErrorHandler = (error: unknown) => void;

/** One registration: the same function added twice is two entries, removed one at a time. */
interface ListenerEntry<T> {
  readonly listener: (value: T) => void;
  active: boolean;
}

/**
 * A list of callbacks where one callback's exception never reaches the emitter or the other
 * callbacks (a consumer's bug must not end a publisher's session). Errors go to `onError`.
 *
 * During an emit, listeners added meanwhile wait for the next value, and a listener removed
 * meanwhile (by itself or another) is not called again, not even for the current value.
 */
export class ListenerSet<T> {
  private entries: ListenerEntry<T>[] = [];

  constructor(private readonly onError: ListenerErrorHandler) {}

  get size(): number {
    return this.entries.length;
  }

  /** Adds a listener; returns the function that removes it (this registration only). */
  add(listener: (value: T) => void): () => void {
    const entry: ListenerEntry<T> = { listener, active: true };
    this.entries = [...this.entries, entry];
    return () => {
      if (!entry.active) return;
      entry.active = false;
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  emit(value: T): void {
    // The array is replaced, never mutated, so a listener may unsubscribe while we iterate.
    const current = this.entries;
    for (let i = 0; i < current.length; i += 1) {
      const entry = current[i];
      if (!entry.active) continue;
      try {
        entry.listener(value);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  clear(): void {
    for (const entry of this.entries) entry.active = false;
    this.entries = [];
  }
}
