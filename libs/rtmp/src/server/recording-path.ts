import { createHash } from 'crypto';
import { join } from 'path';

/** What naming a recording takes from a stream: LiveStream and RtmpStream both fit. */
export interface RecordedStream {
  readonly app: string;
  /** The name the verifier gave the stream, if it gave one (see `LiveStream.publicName`). */
  readonly publicName?: string | undefined;
  readonly startedAt: Date;
  readonly request: { readonly sessionId: number };
}

export interface SafePathComponentOptions {
  /**
   * Longest component, in bytes; longer ones are cut and end in a hash of the whole. Default
   * 255, the limit of ext4, XFS, APFS and NTFS. At least 20.
   */
  readonly maxBytes?: number;
}

/** Most bytes in a file or folder name on common file systems. */
export const MAX_PATH_COMPONENT_BYTES = 255;

/** Characters kept as they are; every other byte is written %XX ("%" itself included). */
const SAFE_BYTE = /^[A-Za-z0-9._-]$/;
/** Names Windows reserves for devices, with or without an extension. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
/** `~` and 16 hex digits: what a cut component ends with. `~` is never kept as it is. */
const HASH_SUFFIX_LENGTH = 17;
/**
 * Most bytes of a file name the public name may take, so that the start time, the session id
 * and `.flv` after it always fit in {@link MAX_PATH_COMPONENT_BYTES}.
 */
const MAX_NAME_BYTES_IN_FILE = 200;

/**
 * Where to record `stream` under `recordDir`:
 * `<recordDir>/<app>/<public name>-<start time>-s<session id>.flv` for a stream the verifier
 * gave a public name, `<recordDir>/<app>/<start time>-s<session id>.flv` for any other, the app
 * and the public name made safe by `safePathComponent`. A name the verifier did not make public
 * is left out on purpose: it usually is the secret key, and file names end up in directory
 * listings, backups and logs. A hash of the key would not do either: keys are short enough to
 * guess from their hash. The start time and the session id (unique in this server) tell such
 * recordings apart; the demo logs the path beside the stream's label.
 */
export function recordingPath(recordDir: string, stream: RecordedStream): string {
  const started = stream.startedAt.toISOString().replace(/[:.]/g, '-');
  const { publicName } = stream;
  const named =
    publicName === undefined
      ? ''
      : `${safePathComponent(publicName, { maxBytes: MAX_NAME_BYTES_IN_FILE })}-`;
  const file = safePathComponent(`${started}-s${stream.request.sessionId}.flv`);
  return join(recordDir, safePathComponent(stream.app), `${named}${file}`);
}

/**
 * `text` as one file or folder name that cannot leave its directory and differs for different
 * texts: the UTF-8 bytes outside `A-Z a-z 0-9 . _ -` percent-encoded (so `/`, `\`, NUL and
 * `%` itself never come through), a leading or trailing dot encoded (so no `.`, `..` or hidden
 * name), the first letter of a Windows device name (`CON`, `nul.txt`) encoded, and the empty
 * text named `%`. A result over `maxBytes` is cut, never inside an escape, and ends in `~` and
 * a hash of the whole text, which keeps it unique.
 */
export function safePathComponent(text: string, options: SafePathComponentOptions = {}): string {
  const maxBytes = Math.max(20, Math.floor(options.maxBytes ?? MAX_PATH_COMPONENT_BYTES));
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += SAFE_BYTE.test(char) ? char : escape(byte);
  }
  if (encoded.startsWith('.')) encoded = `${escape(0x2e)}${encoded.slice(1)}`;
  if (encoded.endsWith('.')) encoded = `${encoded.slice(0, -1)}${escape(0x2e)}`;
  if (WINDOWS_DEVICE.test(encoded)) encoded = `${escape(encoded.charCodeAt(0))}${encoded.slice(1)}`;
  if (encoded === '') return '%';
  if (encoded.length <= maxBytes) return encoded;
  let kept = encoded.slice(0, maxBytes - HASH_SUFFIX_LENGTH);
  const lastEscape = kept.lastIndexOf('%');
  if (lastEscape >= kept.length - 2) kept = kept.slice(0, lastEscape);
  const hash = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
  return `${kept}~${hash}`;
}

function escape(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}
