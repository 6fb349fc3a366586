import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpClientError } from './rtmp-client.error';
import { describeRtmpUrl, describeUrlText, parseRtmpUrl } from './rtmp-url';
import { RtmpUrlError, RtmpUrlRule } from './rtmp-url.error';

/** What a stream key looks like in the tests: it must never show in an error or a log. */
const KEY = 'live_123456789_SecretKeyAbc';
/** A password: it must never show either. */
const PASSWORD = 'Pa55word-Never-Logged';

describe('parseRtmpUrl', () => {
  it('defaults rtmp:// to port 1935 and puts the port in tcUrl', () => {
    expect(parseRtmpUrl(`rtmp://a.rtmp.youtube.com/live2/${KEY}`)).toEqual({
      secure: false,
      host: 'a.rtmp.youtube.com',
      port: 1935,
      app: 'live2',
      streamName: KEY,
      tcUrl: 'rtmp://a.rtmp.youtube.com:1935/live2',
    });
  });

  it('defaults rtmps:// to port 443', () => {
    expect(parseRtmpUrl(`rtmps://live-api-s.facebook.com/rtmp/${KEY}`)).toMatchObject({
      secure: true,
      port: 443,
      app: 'rtmp',
      tcUrl: 'rtmps://live-api-s.facebook.com:443/rtmp',
    });
  });

  it('keeps an explicit port', () => {
    expect(parseRtmpUrl('rtmp://127.0.0.1:19350/live/key')).toMatchObject({
      host: '127.0.0.1',
      port: 19350,
      tcUrl: 'rtmp://127.0.0.1:19350/live',
    });
  });

  it('reads the scheme case-insensitively', () => {
    expect(parseRtmpUrl('RTMPS://host/app/key')).toMatchObject({
      secure: true,
      port: 443,
      tcUrl: 'rtmps://host:443/app',
    });
  });

  it('takes the last path segment as the stream name: apps may contain slashes', () => {
    expect(parseRtmpUrl('rtmp://host/live/eu/west/key')).toMatchObject({
      app: 'live/eu/west',
      streamName: 'key',
      tcUrl: 'rtmp://host:1935/live/eu/west',
    });
  });

  it('keeps a query string with the stream name, slashes in it included', () => {
    expect(parseRtmpUrl('rtmp://host/live/key?token=abc&path=a/b')).toMatchObject({
      app: 'live',
      streamName: 'key?token=abc&path=a/b',
      tcUrl: 'rtmp://host:1935/live',
    });
  });

  it('reads bracketed IPv6 hosts, with and without a port, and brackets them in tcUrl', () => {
    expect(parseRtmpUrl('rtmp://[::1]:1936/live/key')).toMatchObject({
      host: '::1',
      port: 1936,
      tcUrl: 'rtmp://[::1]:1936/live',
    });
    expect(parseRtmpUrl('rtmps://[2001:db8::7]/app/key')).toMatchObject({
      host: '2001:db8::7',
      port: 443,
      tcUrl: 'rtmps://[2001:db8::7]:443/app',
    });
  });

  it('ignores whitespace around the URL', () => {
    expect(parseRtmpUrl('  rtmp://host/app/key\n')).toMatchObject({
      host: 'host',
      streamName: 'key',
    });
  });

  it('accepts a user name and password, keeps them as written and never puts them in tcUrl', () => {
    const url = parseRtmpUrl(`rtmp://relay:${PASSWORD}%40x@host:1936/live/${KEY}`);
    expect(url).toEqual({
      secure: false,
      host: 'host',
      port: 1936,
      app: 'live',
      streamName: KEY,
      tcUrl: 'rtmp://host:1936/live',
      username: 'relay',
      password: `${PASSWORD}%40x`,
    });
    expect(parseRtmpUrl('rtmps://only-user@[::1]/app/key')).toMatchObject({
      host: '::1',
      username: 'only-user',
      tcUrl: 'rtmps://[::1]:443/app',
    });
    expect(parseRtmpUrl('rtmp://host/app/key')).not.toHaveProperty('username');
    expect(parseRtmpUrl('rtmp://host/app/key')).not.toHaveProperty('password');
  });

  it('takes the app and stream name as written: escapes, dot segments and spaces are not rewritten', () => {
    expect(parseRtmpUrl('rtmp://host/live%2Feu/a%20b%3Fc')).toMatchObject({
      app: 'live%2Feu',
      streamName: 'a%20b%3Fc',
    });
    expect(parseRtmpUrl('rtmp://host/a/../b/my key')).toMatchObject({
      app: 'a/../b',
      streamName: 'my key',
      tcUrl: 'rtmp://host:1935/a/../b',
    });
  });

  it('keeps a fragment-looking # in the stream name: RTMP has no fragments', () => {
    expect(parseRtmpUrl('rtmp://host/live/key#1?x=2')).toMatchObject({
      app: 'live',
      streamName: 'key#1?x=2',
    });
  });

  it('accepts what URL accepts in the authority: an empty port, IPv4-mapped IPv6, any host case', () => {
    expect(parseRtmpUrl('rtmp://host:/live/key')).toMatchObject({ port: 1935 });
    expect(parseRtmpUrl('rtmp://[::ffff:1.2.3.4]/live/key')).toMatchObject({
      host: '::ffff:102:304',
    });
    expect(parseRtmpUrl('rtmp://Live.Example.COM/live/key')).toMatchObject({
      host: 'Live.Example.COM',
    });
  });

  describe('refuses what is not a publish URL, naming the rule, never quoting the key or password', () => {
    const invalid: [string, string, RtmpUrlRule, string][] = [
      [
        'another scheme',
        `http://host/live/${KEY}`,
        'scheme',
        'http://host/live/liv***(27): the scheme must be rtmp:// or rtmps://',
      ],
      ['RTMPT (tunnelled over HTTP)', `rtmpt://host/live/${KEY}`, 'scheme', 'rtmpt://host/live/'],
      ['no stream name', `rtmp://host/${KEY}`, 'app-and-name', 'rtmp://host/liv***(27): it needs'],
      ['an empty stream name', `rtmp://host/live/${KEY}/`, 'app-and-name', 'rtmp://host/live/'],
      ['an empty app', `rtmp://host//${KEY}`, 'app-and-name', 'rtmp://host//liv***(27)'],
      ['no path', 'rtmp://host', 'app-and-name', 'rtmp://host: it needs an app and a stream name'],
      ['a query right after the host', `rtmp://host?key=${KEY}`, 'app-and-name', 'rtmp://host'],
      ['port 0', `rtmp://host:0/live/${KEY}`, 'port', 'rtmp://host:0/live/liv***(27): the port'],
      ['a port past 65535', `rtmp://host:65536/live/${KEY}`, 'port', 'rtmp://host:65536/'],
      ['a port that is not a number', `rtmp://host:abc/live/${KEY}`, 'port', 'rtmp://host:abc/'],
      ['a bare key', KEY, 'scheme', 'invalid RTMP URL liv***(27): the scheme'],
      ['a single slash after the scheme', `rtmp:/host/live/${KEY}`, 'host', 'rtm***(43)'],
      ['no host', `rtmp:///live/${KEY}`, 'host', 'rtmp:///live/liv***(27)'],
      ['no scheme', `host/live/${KEY}`, 'scheme', 'hos***(37)'],
      ['an empty string', '', 'scheme', 'invalid RTMP URL ***(0)'],
      ['a space in the host', `rtmp://ho st/live/${KEY}`, 'syntax', 'rtmp://ho st/live/liv***(27)'],
      ['an unclosed IPv6 bracket', `rtmp://[::1/live/${KEY}`, 'syntax', 'rtmp://[::1/live/'],
      ['a line break inside', `rtmp://host/live/${KEY}\nx`, 'control-character', 'liv***(29)'],
      [
        'a password, and no stream name',
        `rtmp://user:${PASSWORD}@host/${KEY}`,
        'app-and-name',
        'rtmp://user:Pa5***(21)@host/liv***(27)',
      ],
    ];

    it.each(invalid)('%s', (_why, url, rule, shown) => {
      let thrown: unknown;
      try {
        parseRtmpUrl(url);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RtmpUrlError);
      expect(thrown).toBeInstanceOf(RtmpClientError);
      const error = thrown as RtmpUrlError;
      expect(error.code).toBe(RtmpErrorCode.ClientUrlInvalid);
      expect(error.fatal).toBe(true);
      expect(error.rule).toBe(rule);
      expect(error.context.rule).toBe(rule);
      expect(error.message).toMatch(/^invalid RTMP URL /);
      expect(error.message).toContain(shown);
      expect(error.message).toContain(error.url);
      for (const secret of [KEY, 'SecretKey', PASSWORD, 'Never-Logged']) {
        expect(error.message).not.toContain(secret);
        expect(error.url).not.toContain(secret);
      }
    });

    it('replaces control characters in what it shows: no forged log lines', () => {
      expect(() => parseRtmpUrl('rtmp://ho\nst/live/key')).toThrow(
        'invalid RTMP URL rtmp://ho\uFFFDst/live/***(3): it contains a control character',
      );
    });
  });
});

describe('describeUrlText (text that may not be a URL: a refused URL, a relay template)', () => {
  it('masks as describeRtmpUrl does where it can make out the shape', () => {
    expect(describeUrlText(`rtmp://h:1/live/${KEY}/name?x=1`)).toBe(
      'rtmp://h:1/live/liv***(27)/***(8)',
    );
    expect(describeUrlText('rtmp://a.rtmp.youtube.com/live2/{name}')).toBe(
      'rtmp://a.rtmp.youtube.com/live2/***(6)',
    );
  });

  it('masks a single path segment, a password and text without a scheme whole', () => {
    expect(describeUrlText(`rtmps://host/${KEY}`)).toBe('rtmps://host/liv***(27)');
    expect(describeUrlText(`rtmp://u:${PASSWORD}@h/a/b`)).toBe('rtmp://u:Pa5***(21)@h/a/***(1)');
    expect(describeUrlText(`rtmp://u:a:b@h/a/b`)).toBe('rtmp://u:***(3)@h/a/***(1)');
    expect(describeUrlText(KEY)).toBe('liv***(27)');
  });
});

describe('describeRtmpUrl', () => {
  it('masks the stream name, query included, keeping three characters and the length of a long one', () => {
    const described = describeRtmpUrl(parseRtmpUrl(`rtmp://host:1936/live/${KEY}?auth=xyz`));
    expect(described).toBe('rtmp://host:1936/live/liv***(36)');
    expect(described).not.toContain('auth');
  });

  it('masks app segments after the first, where a key may sit', () => {
    expect(describeRtmpUrl(parseRtmpUrl(`rtmp://host/live/${KEY}/name`))).toBe(
      'rtmp://host:1935/live/liv***(27)/***(4)',
    );
  });

  it('masks the password, shows the user name, never puts either into the URL twice', () => {
    expect(describeRtmpUrl(parseRtmpUrl(`rtmp://relay:${PASSWORD}@host/live/${KEY}`))).toBe(
      'rtmp://relay:Pa5***(21)@host:1935/live/liv***(27)',
    );
    expect(describeRtmpUrl(parseRtmpUrl('rtmp://relay@host/live/key'))).toBe(
      'rtmp://relay@host:1935/live/***(3)',
    );
  });

  it('masks a short stream name entirely', () => {
    expect(describeRtmpUrl(parseRtmpUrl('rtmps://[::1]/app/short'))).toBe(
      'rtmps://[::1]:443/app/***(5)',
    );
  });
});
