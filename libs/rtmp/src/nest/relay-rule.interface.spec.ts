import { matchesRelayRule, RelayRule, relayDestination } from './relay-rule.interface';

function rule(match: string): RelayRule {
  return { match, destinations: [] };
}

describe('matchesRelayRule', () => {
  it('matches every stream of an app with `app/*`', () => {
    expect(matchesRelayRule(rule('live/*'), 'live', 'key')).toBe(true);
    expect(matchesRelayRule(rule('live/*'), 'live', 'another-key_2')).toBe(true);
    expect(matchesRelayRule(rule('live/*'), 'studio', 'key')).toBe(false);
  });

  it('matches every stream of every single-segment app with `*/*`', () => {
    expect(matchesRelayRule(rule('*/*'), 'live', 'key')).toBe(true);
    expect(matchesRelayRule(rule('*/*'), 'studio', 'x')).toBe(true);
  });

  it('never lets `*` cross a slash', () => {
    expect(matchesRelayRule(rule('live/*'), 'live/eu', 'key')).toBe(false);
    expect(matchesRelayRule(rule('*/*'), 'live/eu', 'key')).toBe(false);
    expect(matchesRelayRule(rule('live/*/*'), 'live/eu', 'key')).toBe(true);
    expect(matchesRelayRule(rule('live/eu/*'), 'live/eu', 'key')).toBe(true);
  });

  it('matches prefixes, suffixes and the middle of a name', () => {
    expect(matchesRelayRule(rule('live/studio-*'), 'live', 'studio-1')).toBe(true);
    expect(matchesRelayRule(rule('live/studio-*'), 'live', 'studio-')).toBe(true);
    expect(matchesRelayRule(rule('live/studio-*'), 'live', 'other-1')).toBe(false);
    expect(matchesRelayRule(rule('live/*-hd'), 'live', 'cam1-hd')).toBe(true);
    expect(matchesRelayRule(rule('live/*-hd'), 'live', 'cam1-sd')).toBe(false);
    expect(matchesRelayRule(rule('live/cam*-hd'), 'live', 'cam12-hd')).toBe(true);
  });

  it('is anchored at both ends', () => {
    expect(matchesRelayRule(rule('live/*'), 'xlive', 'key')).toBe(false);
    expect(matchesRelayRule(rule('live/key'), 'live', 'key2')).toBe(false);
    expect(matchesRelayRule(rule('live/key'), 'live', 'key')).toBe(true);
  });

  it('takes every other character literally, regular-expression ones included', () => {
    expect(matchesRelayRule(rule('live/a.b'), 'live', 'a.b')).toBe(true);
    expect(matchesRelayRule(rule('live/a.b'), 'live', 'aXb')).toBe(false);
    expect(matchesRelayRule(rule('live/a+'), 'live', 'aa')).toBe(false);
    expect(matchesRelayRule(rule('live/(x|y)'), 'live', 'x')).toBe(false);
    expect(matchesRelayRule(rule('live/(x|y)'), 'live', '(x|y)')).toBe(true);
    expect(matchesRelayRule(rule('live/k?'), 'live', 'k')).toBe(false);
    expect(matchesRelayRule(rule('live/[ab]'), 'live', 'a')).toBe(false);
    expect(matchesRelayRule(rule('live/$^{2}\\'), 'live', '$^{2}\\')).toBe(true);
  });
});

describe('relayDestination', () => {
  it('fills in {app} and {name}, every occurrence', () => {
    expect(relayDestination('rtmp://a.rtmp.youtube.com/live2/{name}', 'live', 'key')).toBe(
      'rtmp://a.rtmp.youtube.com/live2/key',
    );
    expect(relayDestination('rtmp://backup/{app}/{name}?from={app}-{name}', 'studio', 'cam')).toBe(
      'rtmp://backup/studio/cam?from=studio-cam',
    );
  });

  it('leaves a template without placeholders as it is', () => {
    expect(relayDestination('rtmp://host/app/fixed-key', 'live', 'key')).toBe(
      'rtmp://host/app/fixed-key',
    );
  });

  it('inserts names verbatim: `$` patterns are not expanded', () => {
    expect(relayDestination('rtmp://h/live/{name}', 'live', "ab$&cd$'x$$")).toBe(
      "rtmp://h/live/ab$&cd$'x$$",
    );
    expect(relayDestination('rtmp://h/{app}/{name}', 'a$1', 'n$`')).toBe('rtmp://h/a$1/n$`');
  });

  it('does not substitute inside what it inserted', () => {
    expect(relayDestination('rtmp://h/{app}/{name}', '{name}', 'key')).toBe('rtmp://h/{name}/key');
  });
});
