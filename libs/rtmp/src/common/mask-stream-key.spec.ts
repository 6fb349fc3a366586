import fc from 'fast-check';
import { describeApp, describeStream, maskStreamKey, redactStreamKey } from './mask-stream-key';

describe('maskStreamKey', () => {
  it('shows the first 3 characters and the length of a long name', () => {
    expect(maskStreamKey('secret-key-1234567890')).toBe('sec***(21)');
    expect(maskStreamKey('abcdefghijklmnop')).toBe('abc***(16)');
  });

  it('hides a name under 16 characters whole', () => {
    expect(maskStreamKey('abcdefghijklmno')).toBe('***(15)');
    expect(maskStreamKey('demo-key')).toBe('***(8)');
    expect(maskStreamKey('k')).toBe('***(1)');
    expect(maskStreamKey('')).toBe('***(0)');
  });

  it('never shows more than 3 characters of a name', () => {
    fc.assert(
      // Key-like names (2+ characters, no '*', '(' or ')'): the mask cannot spell one.
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.~-]{2,200}$/), (name) => {
        const masked = maskStreamKey(name);
        const shown = name.length >= 16 ? 3 : 0;
        expect(masked).toBe(`${name.slice(0, shown)}***(${name.length})`);
        expect(masked.includes(name)).toBe(false);
      }),
    );
  });
});

describe('redactStreamKey', () => {
  const key = 'secret-key-1234567890';

  it('masks every occurrence of the name in a text', () => {
    expect(redactStreamKey(`key ${key} unknown (tried ${key}!)`, key)).toBe(
      'key sec***(21) unknown (tried sec***(21)!)',
    );
  });

  it('leaves a text without the name as it is', () => {
    expect(redactStreamKey('key store unreachable', key)).toBe('key store unreachable');
  });

  it('leaves the text alone for an empty name', () => {
    expect(redactStreamKey('anything', '')).toBe('anything');
  });

  it('never lets the name through, wherever and however often it sits in the text', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z-]{8,40}$/),
        // Text around the name from another alphabet, so it cannot spell the name itself.
        fc.array(fc.stringMatching(/^[0-9 :]{0,20}$/), { minLength: 2, maxLength: 6 }),
        (name, parts) => {
          const redacted = redactStreamKey(parts.join(name), name);
          expect(redacted.includes(name)).toBe(false);
          expect(redacted).toBe(parts.join(maskStreamKey(name)));
        },
      ),
    );
  });
});

describe('describeApp', () => {
  it('shows an app the server was configured to serve', () => {
    expect(describeApp('live', ['live', 'studio'])).toBe('live');
  });

  it('masks every segment of any other app, where a key may sit', () => {
    expect(describeApp('live', undefined)).toBe('***(4)');
    expect(describeApp('live/live_123456789_SecretKeyAbc', ['live'])).toBe('***(4)/liv***(27)');
    expect(describeApp('live_123456789_SecretKeyAbc', undefined)).toBe('liv***(27)');
  });
});

describe('describeStream', () => {
  it('masks the name of a stream without a public name: it is taken for the key', () => {
    expect(describeStream('live', 's3cret', ['live'])).toBe('live/***(6)');
  });

  it('shows the public name the verifier gave, never the key', () => {
    expect(describeStream('live', 's3cret', ['live'], 'alice')).toBe('live/alice');
  });

  it('shows the app by the same rule either way', () => {
    expect(describeStream('live', 's3cret', undefined, 'alice')).toBe('***(4)/alice');
  });
});
