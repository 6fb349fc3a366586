import { maskStreamKey } from '../server/mask-stream-key';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpClientError } from './rtmp-client.error';

/** A publish destination taken apart the way encoders do it. */
export interface RtmpUrl {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** Everything between the host and the last path segment (may contain slashes and a query). */
  readonly app: string;
  /** The last path segment with its query: the stream name, often the secret key. */
  readonly streamName: string;
  /** `rtmp://host:port/app`, port always included, as FFmpeg sends it. */
  readonly tcUrl: string;
}

const DEFAULT_PORTS = { rtmp: 1935, rtmps: 443 } as const;

/**
 * Parses `rtmp://host[:port]/app[/more]/streamName[?query]` (or `rtmps://`, default port 443).
 * The stream name is the last path segment, so apps with slashes work
 * (`rtmp://host/live/eu/key` → app `live/eu`, name `key`).
 */
export function parseRtmpUrl(url: string): RtmpUrl {
  const match = /^(rtmps?):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?\/(.+)$/i.exec(url.trim());
  if (match === null) throw invalid(url, 'expected rtmp://host[:port]/app/streamName');
  const scheme = match[1].toLowerCase() as 'rtmp' | 'rtmps';
  const host = match[2].replace(/^\[|\]$/g, '');
  const port = match[3] === undefined ? DEFAULT_PORTS[scheme] : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(url, 'bad port');
  // The stream name is the last segment of the path part; a query after it belongs to it.
  const queryAt = match[4].indexOf('?');
  const path = queryAt < 0 ? match[4] : match[4].slice(0, queryAt);
  const query = queryAt < 0 ? '' : match[4].slice(queryAt);
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || slash === path.length - 1)
    throw invalid(url, 'expected an app and a stream name');
  const app = path.slice(0, slash);
  const streamName = path.slice(slash + 1) + query;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    secure: scheme === 'rtmps',
    host,
    port,
    app,
    streamName,
    tcUrl: `${scheme}://${hostPart}:${port}/${app}`,
  };
}

/**
 * The URL for logs and errors: the stream name masked as every key is (maskStreamKey), and so is
 * every app segment after the first, where a key sometimes sits (`rtmp://host/app/KEY/name`).
 * The first app segment names the service's application (`live2`, `app`) and is shown.
 */
export function describeRtmpUrl(url: RtmpUrl): string {
  const hostPart = url.host.includes(':') ? `[${url.host}]` : url.host;
  const [first, ...rest] = url.app.split('/');
  const app = [first, ...rest.map(maskStreamKey)].join('/');
  return `${url.secure ? 'rtmps' : 'rtmp'}://${hostPart}:${url.port}/${app}/${maskStreamKey(url.streamName)}`;
}

function invalid(url: string, why: string): RtmpClientError {
  // Never echo the URL: it carries the key. Only a scheme-shaped prefix is shown; a string
  // without one (a bare key, `rtmp:/host/…`) is not quoted at all.
  const scheme = /^([a-z][a-z0-9+.-]{0,15}):\/\//i.exec(url.trim())?.[1];
  return new RtmpClientError(
    RtmpErrorCode.ClientUrlInvalid,
    `invalid RTMP URL (${scheme === undefined ? 'no scheme' : `${scheme}://…`}): ${why}`,
  );
}
