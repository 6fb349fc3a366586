/**
 * What logs and errors show of a stream name: a stream name often is the secret key, so only
 * its first characters and its length are shown ("liv***(16)"), and only for names of 16
 * characters or more, where 3 characters give away little. Shorter names are hidden whole.
 */
/** Names shorter than this are masked whole. */
const MIN_LENGTH_WITH_PREFIX = 16;

export function maskStreamKey(name: string): string {
  const visible = name.length >= MIN_LENGTH_WITH_PREFIX ? 3 : 0;
  return `${name.slice(0, visible)}***(${name.length})`;
}

/**
 * `text` with every occurrence of the stream name masked, for logging text that comes from user
 * code (a verifier's exception, a rejection reason), which may well quote the key.
 */
export function redactStreamKey(text: string, name: string): string {
  if (name.length === 0) return text;
  return text.split(name).join(maskStreamKey(name));
}

/**
 * What logs show of an app: an app the server was configured to serve is shown as is; any other
 * is masked segment by segment, because an encoder set up with the key in its server URL
 * (`rtmp://host/live/KEY`, or `rtmp://host/KEY`) sends the key as (part of) the app.
 */
export function describeApp(app: string, servedApps: readonly string[] | undefined): string {
  if (servedApps?.includes(app) === true) return app;
  return app.split('/').map(maskStreamKey).join('/');
}

/**
 * How logs name stream `app/name`: the app as {@link describeApp} shows it, then the stream's
 * public name as is when the verifier gave it one (`StreamVerdicts.accept({ name })`), else
 * `name` masked: a name nobody made public is taken for the key.
 */
export function describeStream(
  app: string,
  name: string,
  servedApps: readonly string[] | undefined,
  publicName?: string,
): string {
  return `${describeApp(app, servedApps)}/${publicName ?? maskStreamKey(name)}`;
}
