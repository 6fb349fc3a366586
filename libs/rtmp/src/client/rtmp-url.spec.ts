import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpClientError } from './rtmp-client.error';
import { describeRtmpUrl, parseRtmpUrl } from './rtmp-url';

/** What a stream key looks like in the tests: it must never show in an error or a log. */
const KEY = 'live_123456789_SecretKeyAbc';

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

  describe('refuses what is not a publish URL, without ever quoting the key', () => {
    const invalid: [string, string][] = [
      ['another scheme', `http://host/live/${KEY}`],
      ['no stream name', `rtmp://host/${KEY}`],
      ['an empty stream name', `rtmp://host/live/${KEY}/`],
      ['an empty app', `rtmp://host//${KEY}`],
      ['no path', 'rtmp://host'],
      ['port 0', `rtmp://host:0/live/${KEY}`],
      ['a port past 65535', `rtmp://host:65536/live/${KEY}`],
      ['a port that is not a number', `rtmp://host:abc/live/${KEY}`],
      ['a bare key', KEY],
      ['a single slash after the scheme', `rtmp:/host/live/${KEY}`],
      ['no scheme', `host/live/${KEY}`],
      ['an empty string', ''],
    ];

    it.each(invalid)('%s', (_why, url) => {
      let thrown: unknown;
      try {
        parseRtmpUrl(url);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RtmpClientError);
      const error = thrown as RtmpClientError;
      expect(error.code).toBe(RtmpErrorCode.ClientUrlInvalid);
      expect(error.fatal).toBe(true);
      expect(error.message).toMatch(/^invalid RTMP URL/);
      expect(error.message).not.toContain(KEY);
      expect(error.message).not.toContain('SecretKey');
    });

    it('names the scheme when there is one', () => {
      expect(() => parseRtmpUrl(`http://host/live/${KEY}`)).toThrow('invalid RTMP URL (http://…)');
      expect(() => parseRtmpUrl(KEY)).toThrow('invalid RTMP URL (no scheme)');
    });
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

  it('masks a short stream name entirely', () => {
    expect(describeRtmpUrl(parseRtmpUrl('rtmps://[::1]/app/short'))).toBe(
      'rtmps://[::1]:443/app/***(5)',
    );
  });
});
