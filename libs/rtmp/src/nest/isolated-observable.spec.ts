import { config as rxjsConfig, map, Subject } from 'rxjs';
import { IsolatedFailure, IsolatedObservable } from './isolated-observable';

function isolated<T>(source: Subject<T>) {
  const reports: [string, IsolatedFailure][] = [];
  const observable = new IsolatedObservable(source, (error, failure) =>
    reports.push([(error as Error).message, failure]),
  );
  return { observable, reports };
}

describe('IsolatedObservable', () => {
  it("reports a subscriber's exception and keeps delivering, to it and to the others", () => {
    const source = new Subject<number>();
    const { observable, reports } = isolated(source);
    const good: number[] = [];
    const bad: number[] = [];
    observable.subscribe((value) => {
      bad.push(value);
      throw new Error(`bug ${value}`);
    });
    observable.subscribe({ next: (value) => good.push(value) });
    source.next(1);
    source.next(2);
    source.complete();
    expect(good).toEqual([1, 2]);
    expect(bad).toEqual([1, 2]);
    expect(reports).toEqual([
      ['bug 1', 'subscriber-threw'],
      ['bug 2', 'subscriber-threw'],
    ]);
    expect(rxjsConfig.onUnhandledError).toBeNull();
  });

  it('covers subscribers at the end of a pipe', () => {
    const source = new Subject<number>();
    const { observable, reports } = isolated(source);
    const seen: number[] = [];
    observable.pipe(map((value) => value * 10)).subscribe((value) => {
      seen.push(value);
      throw new Error(`piped ${value}`);
    });
    source.next(1);
    source.next(2);
    expect(seen).toEqual([10, 20]);
    expect(reports).toEqual([
      ['piped 10', 'subscriber-threw'],
      ['piped 20', 'subscriber-threw'],
    ]);
  });

  it("leaves an operator's own failure to the pipe (it errors), and reports an error nobody takes", () => {
    const source = new Subject<number>();
    const { observable, reports } = isolated(source);
    const errors: string[] = [];
    observable
      .pipe(
        map(() => {
          throw new Error('projection failed');
        }),
      )
      .subscribe({ error: (error: Error) => errors.push(error.message) });
    observable.subscribe(() => undefined);
    source.next(1);
    expect(errors).toEqual(['projection failed']);
    source.error(new Error('stream failed'));
    expect(reports).toEqual([['stream failed', 'unhandled-error']]);
  });
});
