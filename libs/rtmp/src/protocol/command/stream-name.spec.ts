import fc from 'fast-check';
import { parseStreamName } from './stream-name';

describe('parseStreamName', () => {
  it('returns the name alone when there is no "?"', () => {
    const parsed = parseStreamName('obs');
    expect(parsed.name).toBe('obs');
    expect(Object.keys(parsed.query)).toEqual([]);
  });

  it('splits at the first "?" and decodes the query', () => {
    expect(parseStreamName('key?token=a%20b&x=1+2')).toEqual({
      name: 'key',
      query: { token: 'a b', x: '1 2' },
    });
  });

  it('keeps later "?" in the query', () => {
    expect(parseStreamName('key?a=1?b=2')).toEqual({ name: 'key', query: { a: '1?b=2' } });
  });

  it('keeps the first value of a repeated key', () => {
    expect(parseStreamName('key?a=1&a=2').query).toEqual({ a: '1' });
  });

  it('reads a key without "=" as an empty value, and a lone "?" as no query', () => {
    expect(parseStreamName('key?flag').query).toEqual({ flag: '' });
    expect(parseStreamName('key?')).toEqual({ name: 'key', query: {} });
    expect(parseStreamName('?a=1')).toEqual({ name: '', query: { a: '1' } });
  });

  it('leaves bad %-escapes as they are and replaces bad UTF-8, instead of throwing', () => {
    expect(parseStreamName('key?a=%zz&b=%&c=%E0%A4%A').query).toEqual({
      a: '%zz',
      b: '%',
      c: '\ufffd%A',
    });
  });

  it('has no prototype: "constructor" is absent, "__proto__" is an ordinary key', () => {
    const { query } = parseStreamName('key?__proto__=x&toString=y');
    expect(query.constructor).toBeUndefined();
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(query['__proto__']).toBe('x');
    expect(query.toString).toBe('y');
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), (a, b) => {
        const parsed = parseStreamName(`${a}?${b}`);
        expect(typeof parsed.name).toBe('string');
        for (const value of Object.values(parsed.query)) expect(typeof value).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
