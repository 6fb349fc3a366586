import { DEFAULT_DEMO_STREAM_KEY, DEFAULT_DEMO_STREAM_NAME, DemoConfig } from './demo-config';
import { parseStreamKeys } from './demo-stream-keys';

describe('parseStreamKeys (RTMP_STREAM_KEYS)', () => {
  it('reads key:name pairs', () => {
    expect(parseStreamKeys('s3cret:alice,k2:bob')).toEqual([
      { key: 's3cret', name: 'alice' },
      { key: 'k2', name: 'bob' },
    ]);
  });

  it('names a key without a name stream<n>, n its place in the list', () => {
    expect(parseStreamKeys('k1, k2:bob ,k3')).toEqual([
      { key: 'k1', name: 'stream1' },
      { key: 'k2', name: 'bob' },
      { key: 'k3', name: 'stream3' },
    ]);
  });

  it('splits at the first ":", skips empty entries and trims', () => {
    expect(parseStreamKeys(' a : b:c ,, ')).toEqual([{ key: 'a', name: 'b:c' }]);
    expect(parseStreamKeys('')).toEqual([]);
  });

  it('refuses an empty key or an invalid name, naming the entry by its place, never the key', () => {
    expect(() => parseStreamKeys('k1:a,:bob')).toThrow(
      'RTMP_STREAM_KEYS entry 2 has no key before ":"',
    );
    for (const [text, problem] of [
      ['secret-key-1:', 'it is empty'],
      ['secret-key-1:live/alice', 'it contains "/"'],
      ['secret-key-1:a?b', 'it contains "?", which starts a query'],
    ]) {
      let message = '';
      try {
        parseStreamKeys(text);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe(`RTMP_STREAM_KEYS entry 1: its name is no stream name: ${problem}`);
      expect(message).not.toContain('secret-key-1');
    }
  });
});

describe('DemoConfig.streamKeys', () => {
  it('defaults to the public demo key, published as "demo"', () => {
    expect(new DemoConfig({}).streamKeys).toEqual([
      { key: DEFAULT_DEMO_STREAM_KEY, name: DEFAULT_DEMO_STREAM_NAME },
    ]);
    expect(new DemoConfig({ RTMP_STREAM_KEYS: ' , ' }).streamKeys).toEqual([
      { key: 'demo-key', name: 'demo' },
    ]);
  });

  it('takes RTMP_STREAM_KEYS', () => {
    expect(new DemoConfig({ RTMP_STREAM_KEYS: 's3cret:alice,k2' }).streamKeys).toEqual([
      { key: 's3cret', name: 'alice' },
      { key: 'k2', name: 'stream2' },
    ]);
  });
});
