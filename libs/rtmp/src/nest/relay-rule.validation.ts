import { describeUrlText, parseRtmpUrl } from '../client/rtmp-url';
import { RtmpUrlError } from '../client/rtmp-url.error';
import { maskStreamKey } from '../common/mask-stream-key';
import { relayDestination } from './relay-rule.interface';

/**
 * What `{app}` and `{name}` stand for when a destination template is checked at startup: one
 * plain segment each, so what is checked is the rest of the template (scheme, host, port, the
 * path's shape). What a stream's own app or name makes of it is known only when it starts.
 */
const PLACEHOLDERS = { app: 'app', name: 'name' } as const;

/**
 * Checks the `relays` option when the module starts, so a destination that can never work
 * (`http://…`, no stream name, port 99999) stops the application's bootstrap instead of failing
 * on the first publish. Throws a TypeError for a rule of the wrong shape, and an
 * {@link RtmpUrlError} naming the rule (index and match), the destination (index) and the rule
 * of URLs it breaks, the URL shown with its key and password masked.
 */
export function assertValidRelayRules(rules: unknown): void {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) {
    throw new TypeError('RtmpModule option relays must be an array of { match, destinations }');
  }
  rules.forEach((rule: unknown, index) => {
    const { match, destinations } = (rule ?? {}) as Record<string, unknown>;
    if (typeof match !== 'string') {
      throw new TypeError(`RtmpModule relays[${index}].match must be a string such as 'live/*'`);
    }
    const where = `RtmpModule relays[${index}] (match ${describeRelayMatch(match)})`;
    if (!Array.isArray(destinations)) {
      throw new TypeError(`${where}: destinations must be an array of rtmp:// or rtmps:// URLs`);
    }
    destinations.forEach((template: unknown, at) => {
      if (typeof template !== 'string') {
        throw new TypeError(`${where} destinations[${at}] must be an rtmp:// or rtmps:// URL`);
      }
      const expanded = relayDestination(template, PLACEHOLDERS.app, PLACEHOLDERS.name);
      const checked = expanded === template ? '' : ' (checked with {app} and {name} filled in)';
      assertUrl(expanded, template, `${where} destinations[${at}]${checked}`);
    });
  });
}

/**
 * Checks the `pulls` option when the module starts: each `from` must be a usable RTMP URL
 * ({@link RtmpUrlError} naming the pull, its URL masked), `app` and `name` non-empty strings.
 */
export function assertValidPullRules(rules: unknown): void {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) {
    throw new TypeError('RtmpModule option pulls must be an array of { from, app, name }');
  }
  rules.forEach((rule: unknown, index) => {
    const { from, app, name } = (rule ?? {}) as Record<string, unknown>;
    if (typeof app !== 'string' || app === '' || typeof name !== 'string' || name === '') {
      throw new TypeError(`RtmpModule pulls[${index}]: app and name must be non-empty strings`);
    }
    const where = `RtmpModule pulls[${index}] (into ${app}/${maskStreamKey(name)}) from`;
    if (typeof from !== 'string')
      throw new TypeError(`${where} must be an rtmp:// or rtmps:// URL`);
    assertUrl(from, from, where);
  });
}

/** Parses `url`; a refusal is thrown again naming `where` and showing `shown` masked. */
function assertUrl(url: string, shown: string, where: string): void {
  try {
    parseRtmpUrl(url);
  } catch (error) {
    if (!(error instanceof RtmpUrlError)) throw error;
    throw new RtmpUrlError(describeUrlText(shown.trim()), error.rule, where);
  }
}

/**
 * A rule's match as errors show it: a name pattern without a `*` names one stream, whose name
 * is often its key, so it is masked; a pattern (`*`, `studio-*`) is shown.
 */
export function describeRelayMatch(match: string): string {
  const slash = match.lastIndexOf('/');
  const name = match.slice(slash + 1);
  return `"${match.slice(0, slash + 1)}${name.includes('*') ? name : maskStreamKey(name)}"`;
}
