import fc from 'fast-check';
import { MAX_PUBLIC_STREAM_NAME_BYTES, publicStreamNameProblem } from './public-stream-name';

describe('publicStreamNameProblem', () => {
  it.each([
    ['a channel name', 'channel-42'],
    ['one character', 'a'],
    ['dots inside', 'alice.v2'],
    ['spaces and punctuation', 'Alice & Bob: live!'],
    ['non-ASCII letters and emoji', 'Zoë 🎥'],
    ['exactly 255 bytes', 'x'.repeat(MAX_PUBLIC_STREAM_NAME_BYTES)],
    ['three dots', '...'],
  ])('accepts %s', (_, name) => {
    expect(publicStreamNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['undefined', undefined, 'it is not a string but undefined'],
    ['null', null, 'it is not a string but null'],
    ['a number', 42, 'it is not a string but a number'],
    ['an object', { name: 'x' }, 'it is not a string but an object'],
    ['an array', ['x'], 'it is not a string but an array'],
    ['the empty string', '', 'it is empty'],
    ['256 bytes', 'x'.repeat(256), 'it is 256 bytes long (UTF-8), more than 255'],
    ['128 two-byte letters', 'é'.repeat(128), 'it is 256 bytes long (UTF-8), more than 255'],
    ['a slash', 'live/alice', 'it contains "/"'],
    ['a query', 'alice?token=1', 'it contains "?", which starts a query'],
    ['"."', '.', 'it is "." or ".."'],
    ['".."', '..', 'it is "." or ".."'],
    ['NUL', 'ali\u0000ce', 'it contains a control character or a lone surrogate'],
    ['a line break', 'alice\nbob', 'it contains a control character or a lone surrogate'],
    ['DEL', 'alice\u007f', 'it contains a control character or a lone surrogate'],
    ['a C1 control', 'alice\u0085', 'it contains a control character or a lone surrogate'],
    ['a lone surrogate', 'alice\ud800', 'it contains a control character or a lone surrogate'],
  ])('refuses %s', (_, name, problem) => {
    expect(publicStreamNameProblem(name)).toBe(problem);
  });

  it('never quotes the name it refuses (it may be a key)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{6,20}$/),
        fc.constantFrom('/', '?', '\n'),
        (key, bad) => {
          const problem = publicStreamNameProblem(`${key}${bad}${key}`);
          expect(problem).toBeDefined();
          expect(problem).not.toContain(key);
        },
      ),
    );
  });
});
