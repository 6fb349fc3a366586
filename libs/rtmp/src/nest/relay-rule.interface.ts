/**
 * A static relay: every accepted stream whose `app/name` matches `match` is restreamed to
 * each destination; `name` is the stream's public name when the verifier gave it one
 * (`StreamVerdicts.accept({ name })`): a named stream's key never reaches a destination.
 * `match` is a glob on `app/name` where `*` stands for any characters except `/` (`live/*`,
 * `*\/*`, `live/studio-*`). Destinations may use `{app}` and `{name}`
 * (`rtmp://a.rtmp.youtube.com/live2/{name}`); they are checked when the module starts, with
 * placeholders for `{app}` and `{name}`, so a destination that can never work (`http://…`, no
 * stream name) stops the bootstrap instead of failing at the first publish.
 *
 * @publicApi
 */
export interface RelayRule {
  readonly match: string;
  readonly destinations: readonly string[];
}

/**
 * A static pull: the stream at `from` (`rtmp://origin.example/live/camera1`, or rtmps://) is
 * played from its server and published locally as `app/name`, for as long as the application
 * runs, reconnecting with the relay backoff when the origin goes away.
 *
 * @publicApi
 */
export interface PullRule {
  readonly from: string;
  readonly app: string;
  readonly name: string;
}

/** Whether `app/name` matches a rule's glob. */
export function matchesRelayRule(rule: RelayRule, app: string, name: string): boolean {
  const pattern = rule.match
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${pattern}$`).test(`${app}/${name}`);
}

/**
 * A destination URL with `{app}` and `{name}` filled in, verbatim: one pass, with replacer
 * functions, so `$&` or `{name}` inside a stream name or app is never expanded.
 */
export function relayDestination(template: string, app: string, name: string): string {
  return template.replace(/\{(app|name)\}/g, (_placeholder, key: string) =>
    key === 'app' ? app : name,
  );
}
