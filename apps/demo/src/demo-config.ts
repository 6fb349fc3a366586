import { DemoStreamKey, parseStreamKeys } from './demo-stream-keys';

/**
 * The key that works out of the box, and the only one printed at start-up (it is public).
 * Set RTMP_STREAM_KEYS to replace it.
 */
export const DEFAULT_DEMO_STREAM_KEY = 'demo-key';

/** The public name of the stream published with the default key: `rtmp://host/live/demo`. */
export const DEFAULT_DEMO_STREAM_NAME = 'demo';

/** The app the demo serves unless RTMP_APPS says otherwise: the one its help documents. */
export const DEFAULT_DEMO_APP = 'live';

/**
 * The demo's settings, from the environment, each with a default that works as is:
 * RTMP_PORT (1935), RTMP_HOST (every interface), RTMP_STREAM_KEYS (comma-separated `key:name`
 * pairs, default "demo-key:demo": see `parseStreamKeys`), RECORD_DIR (unset: no recording;
 * set: each accepted stream is recorded to
 * RECORD_DIR/<app>/<public name>-<start time>-s<session id>.flv, app and name encoded and
 * never the key; see `recordingPath`), RELAY_URLS (comma-separated rtmp:// or rtmps:// URLs every accepted
 * stream is restreamed to; `{app}` and `{name}` are substituted), RTMP_APPS (comma-separated
 * apps served, default "live": a connect to any other app is refused).
 * Built from the environment by the `DemoConfig` provider in app.module.ts.
 */
export class DemoConfig {
  readonly port: number;
  readonly host: string | undefined;
  /** The keys accepted, each with its stream's public name; never empty. */
  readonly streamKeys: readonly DemoStreamKey[];
  readonly recordDir: string | undefined;
  /** Where every accepted stream is restreamed; `{app}` and `{name}` are substituted. */
  readonly relayUrls: readonly string[];
  /** How often the stats service logs each live stream, in milliseconds. */
  readonly statsIntervalMs: number;
  /** The apps served; the first is the one the start-up help prints. */
  readonly apps: readonly string[];

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.port = parsePort(env.RTMP_PORT);
    this.host = nonEmpty(env.RTMP_HOST);
    const keys = parseStreamKeys(env.RTMP_STREAM_KEYS ?? '');
    this.streamKeys =
      keys.length > 0 ? keys : [{ key: DEFAULT_DEMO_STREAM_KEY, name: DEFAULT_DEMO_STREAM_NAME }];
    this.recordDir = nonEmpty(env.RECORD_DIR);
    this.relayUrls = (env.RELAY_URLS ?? '')
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '');
    this.statsIntervalMs = Number(env.STATS_INTERVAL_MS ?? 5_000);
    const apps = (env.RTMP_APPS ?? '')
      .split(',')
      .map((app) => app.trim())
      .filter((app) => app !== '');
    this.apps = apps.length > 0 ? apps : [DEFAULT_DEMO_APP];
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 1935;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`RTMP_PORT must be a port number (0..65535), got "${value}"`);
  }
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
