import { Observable, Observer, Operator, Subscriber, Subscription } from 'rxjs';

/**
 * An Observable whose subscribers' exceptions are handed to `report` instead of escaping. RxJS
 * rethrows a subscriber's exception asynchronously, which ends the process unless
 * `rxjs.config.onUnhandledError` is set; one consumer's bug must not stop the server or the
 * other consumers, and a library must not set that process-wide handler for the application.
 * So the subscriber's own callbacks are wrapped where it subscribes. Operators keep the class
 * (RxJS builds each `pipe()` step with `lift`), so `service.packets(...).pipe(map(...))`
 * subscribers are covered too. Errors of the stream itself with no error callback to take them
 * are reported the same way.
 */
/** Who failed: a subscriber's callback threw, or the stream errored with nobody to take it. */
export type IsolatedFailure = 'subscriber-threw' | 'unhandled-error';

export class IsolatedObservable<T> extends Observable<T> {
  constructor(
    source: Observable<T> | undefined,
    private readonly report: (error: unknown, failure: IsolatedFailure) => void,
  ) {
    super();
    if (source !== undefined) this.source = source;
  }

  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const lifted = new IsolatedObservable<R>(undefined, this.report);
    lifted.source = this as Observable<unknown>;
    lifted.operator = operator;
    return lifted;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    // An operator's own subscriber (a step of a pipe) is RxJS's: only the consumer's callbacks,
    // at the end of the chain, are wrapped.
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function' || observerOrNext == null
        ? {
            next: observerOrNext ?? undefined,
            error: error ?? undefined,
            complete: complete ?? undefined,
          }
        : observerOrNext;
    // Each callback has its own try: no closure per value on the packets() path.
    const { report } = this;
    return super.subscribe({
      next: (value) => {
        try {
          observer.next?.(value);
        } catch (error) {
          report(error, 'subscriber-threw');
        }
      },
      error: (cause: unknown) => {
        if (observer.error === undefined) {
          report(cause, 'unhandled-error');
          return;
        }
        try {
          observer.error(cause);
        } catch (error) {
          report(error, 'subscriber-threw');
        }
      },
      complete: () => {
        try {
          observer.complete?.();
        } catch (error) {
          report(error, 'subscriber-threw');
        }
      },
    });
  }
}
