/** Something that wants to hear about failures of the listeners it calls. */
export type ListenerErrorHandler = (error: unknown) => void;

/**
 * A list of callbacks where one callback's exception never reaches the emitter or the other
 * callbacks (a consumer's bug must not end a publisher's session). Errors go to `onError`.
 */
export class ListenerSet<T> {
  private listeners: ((value: T) => void)[] = [];

  constructor(private readonly onError: ListenerErrorHandler) {}

  get size(): number {
    return this.listeners.length;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(value: T): void {
    // The array is replaced, never mutated, so a listener may unsubscribe while we iterate.
    const current = this.listeners;
    for (let i = 0; i < current.length; i += 1) {
      try {
        current[i](value);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  clear(): void {
    this.listeners = [];
  }
}
