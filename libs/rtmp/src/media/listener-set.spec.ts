import { ListenerSet } from './listener-set';

describe('ListenerSet', () => {
  let errors: unknown[];
  let set: ListenerSet<number>;

  beforeEach(() => {
    errors = [];
    set = new ListenerSet<number>((error) => errors.push(error));
  });

  it('calls every listener in the order added, with the value', () => {
    const calls: string[] = [];
    set.add((v) => calls.push(`a${v}`));
    set.add((v) => calls.push(`b${v}`));
    set.emit(1);
    set.emit(2);
    expect(calls).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(set.size).toBe(2);
  });

  it('reports a throwing listener and still calls the others', () => {
    const calls: number[] = [];
    const boom = new Error('consumer bug');
    set.add((v) => calls.push(v));
    set.add(() => {
      throw boom;
    });
    set.add((v) => calls.push(v * 10));
    expect(() => set.emit(3)).not.toThrow();
    expect(calls).toEqual([3, 30]);
    expect(errors).toEqual([boom]);
    set.emit(4);
    expect(calls).toEqual([3, 30, 4, 40]);
    expect(errors).toEqual([boom, boom]);
  });

  it('reports thrown non-errors too', () => {
    set.add(() => {
      throw 'a string';
    });
    set.emit(1);
    expect(errors).toEqual(['a string']);
  });

  it('lets a listener unsubscribe itself during an emit without skipping the next one', () => {
    const calls: string[] = [];
    const stop = set.add(() => {
      calls.push('once');
      stop();
    });
    set.add((v) => calls.push(`after${v}`));
    set.emit(1);
    set.emit(2);
    expect(calls).toEqual(['once', 'after1', 'after2']);
    expect(set.size).toBe(1);
  });

  it('does not call a listener another one removed during the same emit', () => {
    const calls: string[] = [];
    set.add(() => {
      calls.push('first');
      stopSecond();
    });
    const stopSecond = set.add(() => calls.push('second'));
    set.add(() => calls.push('third'));
    set.emit(1);
    expect(calls).toEqual(['first', 'third']);
  });

  it('calls a listener added during an emit from the next value on', () => {
    const calls: string[] = [];
    let added = false;
    set.add((v) => {
      calls.push(`outer${v}`);
      if (added) return;
      added = true;
      set.add((w) => calls.push(`inner${w}`));
    });
    set.emit(1);
    set.emit(2);
    expect(calls).toEqual(['outer1', 'outer2', 'inner2']);
  });

  it('treats each add as its own registration, even of the same function', () => {
    const calls: number[] = [];
    const listener = (v: number): number => calls.push(v);
    const stopFirst = set.add(listener);
    set.add(listener);
    set.emit(1);
    expect(calls).toEqual([1, 1]);
    stopFirst();
    stopFirst(); // twice is harmless
    set.emit(2);
    expect(calls).toEqual([1, 1, 2]);
    expect(set.size).toBe(1);
  });

  it('clears every listener, even during an emit', () => {
    const calls: string[] = [];
    set.add(() => {
      calls.push('first');
      set.clear();
    });
    set.add(() => calls.push('second'));
    set.emit(1);
    set.emit(2);
    expect(calls).toEqual(['first']);
    expect(set.size).toBe(0);
  });
});
