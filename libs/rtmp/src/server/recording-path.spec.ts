import fc from 'fast-check';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'path';
import { recordingPath, safePathComponent } from './recording-path';

const RECORD_DIR = join('/srv', 'recordings');
const KEY = 'secret-key-1234567890';
const STARTED = new Date('2026-03-04T05:06:07.089Z');

/** A stream as recordingPath sees it; the name is there to check it never reaches the path. */
function stream(app: string, name = KEY, sessionId = 7) {
  return { app, name, startedAt: STARTED, request: { sessionId } };
}

/** Whether `path` lies strictly inside `dir`. */
function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** What a hostile or unlucky publisher may send as an app (or a name). */
const HOSTILE = [
  '../../x',
  '..',
  '.',
  '...',
  '',
  'live\0',
  'a\0b',
  'a/b',
  '/etc/passwd',
  'a\\b',
  '..\\..\\x',
  'C:\\Windows',
  '.hidden',
  'trailing.',
  'CON',
  'nul.txt',
  '%2E%2E',
  'x'.repeat(300),
  'é'.repeat(200), // 400 bytes of UTF-8
  '日本語のストリーム',
  '🎥'.repeat(100),
];
/** Each case with a short title: `it.each` would print a 300-character name whole. */
const CASES = HOSTILE.map(
  (text) => [[...JSON.stringify(text)].slice(0, 24).join(''), text] as const,
);

describe('recordingPath', () => {
  it('files a stream under its app, named by start time and session id', () => {
    expect(recordingPath(RECORD_DIR, stream('live'))).toBe(
      join(RECORD_DIR, 'live', '2026-03-04T05-06-07-089Z-s7.flv'),
    );
  });

  it('starts the file name with the public name the verifier gave, never the key', () => {
    const named = { ...stream('live'), name: 'alice', publicName: 'alice' };
    expect(recordingPath(RECORD_DIR, named)).toBe(
      join(RECORD_DIR, 'live', 'alice-2026-03-04T05-06-07-089Z-s7.flv'),
    );
  });

  it.each(CASES)(
    'keeps public name %s inside the folder of its app, ending in the start time, session id and .flv',
    (_title, publicName) => {
      const path = recordingPath(RECORD_DIR, { ...stream('live'), publicName });
      expect(dirname(path)).toBe(join(RECORD_DIR, 'live'));
      expect(path).not.toContain('\0');
      expect(Buffer.byteLength(basename(path))).toBeLessThanOrEqual(255);
      expect(basename(path)).toMatch(/-2026-03-04T05-06-07-089Z-s7\.flv$/);
      expect(basename(path)).not.toContain(KEY);
    },
  );

  it.each(CASES)('keeps app %s inside the directory, one folder deep', (_title, app) => {
    const path = recordingPath(RECORD_DIR, stream(app));
    expect(isInside(RECORD_DIR, path)).toBe(true);
    expect(resolve(dirname(dirname(path)))).toBe(resolve(RECORD_DIR));
    expect(path).not.toContain('\0');
    for (const part of relative(RECORD_DIR, path).split(sep)) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
      expect(['', '.', '..']).not.toContain(part);
    }
  });

  it.each(CASES)('leaves stream name %s out of the path', (_title, name) => {
    const path = recordingPath(RECORD_DIR, stream('live', name));
    expect(path).toBe(join(RECORD_DIR, 'live', '2026-03-04T05-06-07-089Z-s7.flv'));
  });

  it('never puts the key in the file name, whatever the app', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{4,64}$/), (app, key) => {
        const path = recordingPath(RECORD_DIR, stream(app, key));
        expect(isInside(RECORD_DIR, path)).toBe(true);
        expect(basename(path)).not.toContain(key);
      }),
    );
  });

  it('gives two sessions started in the same millisecond two files', () => {
    expect(recordingPath(RECORD_DIR, stream('live', KEY, 1))).not.toBe(
      recordingPath(RECORD_DIR, stream('live', KEY, 2)),
    );
  });
});

describe('safePathComponent', () => {
  it('keeps letters, digits, "-", "_" and inner dots as they are', () => {
    expect(safePathComponent('live')).toBe('live');
    expect(safePathComponent('Live_2-eu.v1')).toBe('Live_2-eu.v1');
  });

  it('percent-encodes the UTF-8 bytes of everything else, "%" included', () => {
    expect(safePathComponent('a/b')).toBe('a%2Fb');
    expect(safePathComponent('a\\b')).toBe('a%5Cb');
    expect(safePathComponent('a\0b')).toBe('a%00b');
    expect(safePathComponent('50%')).toBe('50%25');
    expect(safePathComponent('é')).toBe('%C3%A9');
    expect(safePathComponent('a b')).toBe('a%20b');
  });

  it('encodes leading and trailing dots, so "." and ".." never come out', () => {
    expect(safePathComponent('.')).toBe('%2E');
    expect(safePathComponent('..')).toBe('%2E%2E');
    expect(safePathComponent('../../x')).toBe('%2E.%2F..%2Fx');
    expect(safePathComponent('.hidden')).toBe('%2Ehidden');
    expect(safePathComponent('trailing.')).toBe('trailing%2E');
  });

  it('encodes the first letter of a Windows device name', () => {
    expect(safePathComponent('CON')).toBe('%43ON');
    expect(safePathComponent('nul.txt')).toBe('%6Eul.txt');
    expect(safePathComponent('com1')).toBe('%63om1');
    expect(safePathComponent('console')).toBe('console');
  });

  it('names the empty string "%", which no other input encodes to', () => {
    expect(safePathComponent('')).toBe('%');
  });

  it('cuts a component over the limit and appends a hash of the whole, keeping it unique', () => {
    const long = 'x'.repeat(300);
    const encoded = safePathComponent(long);
    expect(encoded.length).toBe(255);
    expect(encoded).toMatch(/^x+~[0-9a-f]{16}$/);
    expect(safePathComponent(`${long}y`)).not.toBe(encoded);
    // Never cut inside a %XX escape.
    const escaped = safePathComponent('é'.repeat(200));
    expect(escaped.length).toBeLessThanOrEqual(255);
    expect(escaped).toMatch(/^(%[0-9A-F]{2})+~[0-9a-f]{16}$/);
    expect(safePathComponent('x'.repeat(100), { maxBytes: 40 })).toHaveLength(40);
  });

  it('only ever yields safe characters, never "." or "..", within the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const encoded = safePathComponent(text);
        expect(encoded).toMatch(/^[A-Za-z0-9._~%-]+$/);
        expect(['.', '..']).not.toContain(encoded);
        expect(encoded.length).toBeLessThanOrEqual(255);
      }),
    );
  });

  it('maps different texts to different components', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        (a, b) => {
          fc.pre(a !== b);
          expect(safePathComponent(a)).not.toBe(safePathComponent(b));
        },
      ),
    );
  });
});
