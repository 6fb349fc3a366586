import { maskStreamKey } from '../common/mask-stream-key';
import { RtmpUrlError, RtmpUrlRule } from './rtmp-url.error';

/** A publish destination taken apart the way encoders do it. */
export interface RtmpUrl {
  readonly secure: boolean;
  /** Host name or address, IPv6 without its brackets. */
  readonly host: string;
  readonly port: number;
  /**
   * Everything between the host and the last path segment (may contain slashes), as written:
   * percent-escapes are sent as they are, as FFmpeg sends them.
   */
  readonly app: string;
  /**
   * The last path segment with the query after it (`key?token=…`), as written: the stream name
   * sent in `publish` or `play`, often the secret key.
   */
  readonly streamName: string;
  /**
   * `rtmp://host:port/app`, port always included, as FFmpeg sends it. Never the user name or
   * password: the server may log or echo its tcUrl.
   */
  readonly tcUrl: string;
  /**
   * The user name of `rtmp://user:password@host/…`, as written (percent-encoded). Accepted and
   * never sent: RTMP's connect has no field for it (FFmpeg keeps it for Adobe or Limelight
   * challenge authentication, which this client does not implement).
   */
  readonly username?: string;
  /** The password of `rtmp://user:password@host/…`, as written: never sent, masked in logs. */
  readonly password?: string;
}

const DEFAULT_PORTS = { rtmp: 1935, rtmps: 443 } as const;

/** `scheme://authority` and the rest, the way URL parsers split them (authority ends at / ? #). */
const STRUCTURE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Parses `rtmp://[user:password@]host[:port]/app[/more]/streamName[?query]` (or `rtmps://`,
 * default port 443). Whatever Node's WHATWG `URL` accepts for these schemes is accepted:
 * IPv6 hosts in brackets, percent-escapes, a user name and password. The stream name is the
 * last path segment, so apps with slashes work (`rtmp://host/live/eu/key` → app `live/eu`, name
 * `key`); a query stays with the stream name, as encoders send it. The app and name are taken
 * as written, not as `URL` normalises them (it would resolve `..` and escape spaces).
 *
 * @throws RtmpUrlError (`RTMP_ERR_CLIENT_URL_INVALID`) naming the rule broken and the URL with
 *   its key and password masked.
 */
export function parseRtmpUrl(url: string): RtmpUrl {
  const text = url.trim();
  const fail = (rule: RtmpUrlRule): RtmpUrlError => new RtmpUrlError(describeUrlText(text), rule);
  // URL drops tabs and line breaks silently; the stream name would still carry them.
  if (CONTROL_CHARACTER.test(text)) throw fail('control-character');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1].toLowerCase();
  if (scheme !== 'rtmp' && scheme !== 'rtmps') throw fail('scheme');
  const structure = STRUCTURE.exec(text);
  if (structure === null) throw fail('host');
  const [, , authority, rest] = structure;
  const portText = portOf(authority);
  if (portText !== undefined && portText !== '' && !isPort(portText)) throw fail('port');
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw fail('syntax');
  }
  if (parsed.hostname === '') throw fail('host');
  const port = parsed.port === '' ? DEFAULT_PORTS[scheme] : Number(parsed.port);
  // The stream name is the last segment of the path part; a query after it belongs to it.
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt);
  const slash = path.lastIndexOf('/');
  if (!path.startsWith('/') || slash <= 1 || slash === path.length - 1) {
    throw fail('app-and-name');
  }
  const app = path.slice(1, slash);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    secure: scheme === 'rtmps',
    host,
    port,
    app,
    streamName: path.slice(slash + 1) + query,
    tcUrl: `${scheme}://${bracketed(host)}:${port}/${app}`,
    ...(parsed.username === '' ? {} : { username: parsed.username }),
    ...(parsed.password === '' ? {} : { password: parsed.password }),
  };
}

/**
 * The URL for logs and errors: the stream name masked as every key is (maskStreamKey), and so is
 * every app segment after the first, where a key sometimes sits (`rtmp://host/app/KEY/name`),
 * and the password. The first app segment names the service's application (`live2`, `app`)
 * and is shown, as are the user name, the host and the port.
 */
export function describeRtmpUrl(url: RtmpUrl): string {
  const scheme = url.secure ? 'rtmps' : 'rtmp';
  const authority = `${userinfo(url.username, url.password)}${bracketed(url.host)}:${url.port}`;
  return `${scheme}://${authority}/${describePath(url.app, url.streamName)}`;
}

/**
 * What errors show of text meant as an RTMP URL that may not be one (a refused URL, a relay
 * template): masked by the same rule as {@link describeRtmpUrl} as far as its shape can be
 * made out. Text without a `scheme://` is masked whole, as it may be a bare key; so is a path of
 * one segment, which may be the key. Control characters are shown as U+FFFD (no URL delimiter):
 * a line break must not forge a line in a log.
 */
export function describeUrlText(text: string): string {
  const shown = text.replace(new RegExp(CONTROL_CHARACTER, 'g'), '\uFFFD');
  const structure = STRUCTURE.exec(shown);
  if (structure === null) return maskStreamKey(shown);
  const [, scheme, authority, rest] = structure;
  const at = authority.lastIndexOf('@');
  let shownAuthority = authority;
  if (at >= 0) {
    const [username, ...password] = authority.slice(0, at).split(':');
    const hidden = password.length === 0 ? undefined : password.join(':');
    shownAuthority = `${userinfo(username, hidden)}${authority.slice(at + 1)}`;
  }
  const start = `${scheme}://${shownAuthority}`;
  if (!rest.startsWith('/')) return rest === '' ? start : `${start}${maskStreamKey(rest)}`;
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt);
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1) + query;
  if (slash === 0) return `${start}/${maskStreamKey(name)}`;
  return `${start}/${describePath(path.slice(1, slash), name)}`;
}

/** The first app segment as it is, the other segments and the stream name masked. */
function describePath(app: string, streamName: string): string {
  const [first, ...rest] = app.split('/');
  return [first, ...rest.map(maskStreamKey), maskStreamKey(streamName)].join('/');
}

function userinfo(username: string | undefined, password: string | undefined): string {
  if (username === undefined && password === undefined) return '';
  return `${username ?? ''}${password === undefined ? '' : `:${maskStreamKey(password)}`}@`;
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The port part of `host:port` or `[v6]:port` (empty when the colon has nothing after it). */
function portOf(authority: string): string | undefined {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const afterHost = hostPort.startsWith('[') ? hostPort.slice(hostPort.indexOf(']') + 1) : hostPort;
  const colon = afterHost.lastIndexOf(':');
  return colon < 0 ? undefined : afterHost.slice(colon + 1);
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}
