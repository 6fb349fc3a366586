import { publicStreamNameProblem } from '../../../src';

/** One key the demo accepts, and the public name its stream goes live under. */
export interface DemoStreamKey {
  /** The secret an encoder publishes with; never printed or logged whole. */
  readonly key: string;
  /** The stream's public name: players ask for `rtmp://host/live/<name>`, logs show it. */
  readonly name: string;
}

/**
 * The keys of RTMP_STREAM_KEYS: comma-separated `key:name` pairs (`s3cret:alice,k2:bob`), the
 * name after the first `:` (so a key cannot hold one). A key without a name is published as
 * `stream<n>`, n its place in the list (`k1,k2:bob,k3`: stream1, bob, stream3). Throws, naming
 * the entry by its place and never quoting the key, when a key is empty or a name is not a
 * valid stream name (see `publicStreamNameProblem`). Empty entries are skipped.
 */
export function parseStreamKeys(text: string): DemoStreamKey[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const place = index + 1;
      const colon = entry.indexOf(':');
      const key = (colon < 0 ? entry : entry.slice(0, colon)).trim();
      const name = colon < 0 ? `stream${place}` : entry.slice(colon + 1).trim();
      if (key === '') throw new Error(`RTMP_STREAM_KEYS entry ${place} has no key before ":"`);
      const problem = publicStreamNameProblem(name);
      if (problem !== undefined) {
        throw new Error(`RTMP_STREAM_KEYS entry ${place}: its name is no stream name: ${problem}`);
      }
      return { key, name };
    });
}
