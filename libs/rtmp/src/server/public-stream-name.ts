/**
 * Most UTF-8 bytes in a stream's public name: what nginx-rtmp keeps of a stream name (256 bytes
 * with its terminator), and what a file name may hold on common file systems.
 */
export const MAX_PUBLIC_STREAM_NAME_BYTES = 255;

/**
 * Control characters (C0, DEL, C1: NUL and line breaks among them), which would forge lines in
 * logs, and lone surrogates, which have no UTF-8 form, so no player could send the name.
 */
const UNSENDABLE = /[\p{Cc}\p{Cs}]/u;

/**
 * Why `name` cannot be a stream's public name (`StreamVerdicts.accept({ name })`), or undefined
 * when it can. A public name is what players ask for (`rtmp://host/app/<name>`) and what logs,
 * relays and recordings show, so it must be one a player can send and get back unchanged:
 * a non-empty string of at most {@link MAX_PUBLIC_STREAM_NAME_BYTES} bytes of UTF-8, without
 * `/` (a URL would split it into app and name) or `?` (the server splits a requested name at
 * its first `?`, the rest being its query, as it does for every stream name), neither `.` nor
 * `..` (URLs resolve those away), and without control characters or lone surrogates. The
 * answer never quotes the name: a verifier's bug may have put the key in it.
 */
export function publicStreamNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `it is not a string but ${describeType(name)}`;
  if (name === '') return 'it is empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_PUBLIC_STREAM_NAME_BYTES) {
    return `it is ${bytes} bytes long (UTF-8), more than ${MAX_PUBLIC_STREAM_NAME_BYTES}`;
  }
  if (name.includes('/')) return 'it contains "/"';
  if (name.includes('?')) return 'it contains "?", which starts a query';
  if (name === '.' || name === '..') return 'it is "." or ".."';
  if (UNSENDABLE.test(name)) return 'it contains a control character or a lone surrogate';
  return undefined;
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
