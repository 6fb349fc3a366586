import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpUrlError } from '../client/rtmp-url.error';
import { assertValidPullRules, assertValidRelayRules } from './relay-rule.validation';

/** A key in a destination: it must never show in an error. */
const KEY = 'dest_123456789_SecretKeyAbc';
const PASSWORD = 'Pa55word-Never-Logged';

/** What `check` threw (it must throw). */
function thrownBy(check: () => void): Error {
  try {
    check();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('assertValidRelayRules', () => {
  it('accepts rules whose destinations are RTMP URLs, templates included', () => {
    expect(() =>
      assertValidRelayRules([
        { match: 'live/*', destinations: ['rtmp://a.rtmp.youtube.com/live2/{name}'] },
        { match: '*/*', destinations: [`rtmps://u:${PASSWORD}@[::1]:4443/{app}/${KEY}?x={name}`] },
        { match: 'none/*', destinations: [] },
      ]),
    ).not.toThrow();
    expect(() => assertValidRelayRules(undefined)).not.toThrow();
    expect(() => assertValidRelayRules([])).not.toThrow();
  });

  it('refuses an http:// destination naming the rule, the destination and the rule of URLs, key masked', () => {
    const error = thrownBy(() =>
      assertValidRelayRules([
        { match: 'live/*', destinations: [`rtmp://ok/live/${KEY}`] },
        { match: 'studio/cam-*', destinations: [`rtmp://ok/a/b`, `http://host/live/${KEY}`] },
      ]),
    );
    expect(error).toBeInstanceOf(RtmpUrlError);
    expect(error).toMatchObject({
      code: RtmpErrorCode.ClientUrlInvalid,
      rule: 'scheme',
      url: 'http://host/live/des***(27)',
      where: 'RtmpModule relays[1] (match "studio/cam-*") destinations[1]',
    });
    expect(error.message).toBe(
      'RtmpModule relays[1] (match "studio/cam-*") destinations[1]: invalid RTMP URL ' +
        'http://host/live/des***(27): the scheme must be rtmp:// or rtmps://',
    );
  });

  it('checks a template with placeholders filled in, says so, and shows the template', () => {
    const error = thrownBy(() =>
      assertValidRelayRules([{ match: 'live/*', destinations: ['rtmp://host/{name}'] }]),
    );
    expect(error.message).toBe(
      'RtmpModule relays[0] (match "live/*") destinations[0] (checked with {app} and {name} ' +
        'filled in): invalid RTMP URL rtmp://host/***(6): it needs an app and a stream name ' +
        '(rtmp://host/app/name)',
    );
  });

  it('never shows a password, nor a match that names one stream (its key)', () => {
    const error = thrownBy(() =>
      assertValidRelayRules([
        { match: `live/${KEY}`, destinations: [`rtmp://relay:${PASSWORD}@host:99999/live/x`] },
      ]),
    ) as RtmpUrlError;
    expect(error.rule).toBe('port');
    expect(error.message).toContain('(match "live/des***(27)")');
    expect(error.message).toContain('rtmp://relay:Pa5***(21)@host:99999/live/***(1)');
    for (const secret of [KEY, 'SecretKey', PASSWORD, 'Never-Logged']) {
      expect(error.message).not.toContain(secret);
    }
  });

  it.each([
    ['not an array', { match: 'live/*' }, 'RtmpModule option relays must be an array'],
    ['a rule without match', [{ destinations: [] }], 'RtmpModule relays[0].match must be'],
    [
      'destinations as one string',
      [{ match: 'live/*', destinations: 'rtmp://host/live/{name}' }],
      'RtmpModule relays[0] (match "live/*"): destinations must be an array',
    ],
    [
      'a destination that is not a string',
      [{ match: 'live/*', destinations: [42] }],
      'RtmpModule relays[0] (match "live/*") destinations[0] must be an rtmp:// or rtmps:// URL',
    ],
    ['a null rule', [null], 'RtmpModule relays[0].match must be'],
  ])('refuses %s with a TypeError', (_why, rules, message) => {
    const error = thrownBy(() => assertValidRelayRules(rules));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(message);
  });
});

describe('assertValidPullRules', () => {
  it('accepts pulls from RTMP URLs', () => {
    expect(() =>
      assertValidPullRules([{ from: `rtmp://origin/live/${KEY}`, app: 'edge', name: 'cam' }]),
    ).not.toThrow();
    expect(() => assertValidPullRules(undefined)).not.toThrow();
  });

  it('refuses a source that is not an RTMP URL, naming the pull with its local name masked', () => {
    const error = thrownBy(() =>
      assertValidPullRules([
        { from: `rtmp://origin/live/${KEY}`, app: 'edge', name: 'cam' },
        { from: `rtmp://origin/${KEY}`, app: 'edge', name: 'camera-two' },
      ]),
    );
    expect(error).toBeInstanceOf(RtmpUrlError);
    expect(error.message).toBe(
      'RtmpModule pulls[1] (into edge/***(10)) from: invalid RTMP URL rtmp://origin/des***(27): ' +
        'it needs an app and a stream name (rtmp://host/app/name)',
    );
  });

  it.each([
    ['not an array', 'rtmp://x/a/b', 'RtmpModule option pulls must be an array'],
    ['no name', [{ from: 'rtmp://x/a/b', app: 'edge' }], 'pulls[0]: app and name must be'],
    ['an empty app', [{ from: 'rtmp://x/a/b', app: '', name: 'n' }], 'pulls[0]: app and name'],
    ['no from', [{ app: 'edge', name: 'n' }], 'pulls[0] (into edge/***(1)) from must be'],
  ])('refuses %s with a TypeError', (_why, rules, message) => {
    const error = thrownBy(() => assertValidPullRules(rules));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(message);
  });
});
