import { DEFAULT_PROTOCOL_LIMITS } from '../protocol/limits';
import { StreamVerdicts } from './stream-request';
import { RtmpServer } from './rtmp-server';
import {
  DEFAULT_RTMP_SERVER_OPTIONS,
  MAX_PLAYER_WRITE_MERGE_MS,
  MAX_TIMEOUT_MS,
  resolveRtmpServerOptions,
  RtmpServerOptions,
} from './rtmp-server.options';

describe('resolveRtmpServerOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveRtmpServerOptions();
    expect(resolved).toEqual(DEFAULT_RTMP_SERVER_OPTIONS);
    expect(resolved).toMatchObject({
      ...DEFAULT_PROTOCOL_LIMITS,
      port: 1935,
      handshakeTimeoutMs: 10_000,
      connectToPublishTimeoutMs: 30_000,
      idleMediaTimeoutMs: 30_000,
      verifierTimeoutMs: 5_000,
      stalePublisherTimeoutMs: 5_000,
      maxConnections: 1_000,
      maxConnectionsPerAddress: 100,
      maxQueuedBytesPerConsumer: 8 * 1024 * 1024,
      outChunkSize: 60_000,
      windowAckSize: 2_500_000,
      maxMessageSize: 16 * 1024 * 1024,
    });
    expect(resolved.host).toBeUndefined();
    expect(resolved.apps).toBeUndefined();
  });

  it('takes what is given over the defaults, and ignores undefined', () => {
    const resolved = resolveRtmpServerOptions({
      port: 0,
      host: '127.0.0.1',
      apps: ['live'],
      idleMediaTimeoutMs: 250,
      maxConnections: 3,
      handshakeTimeoutMs: undefined,
    });
    expect(resolved).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      apps: ['live'],
      idleMediaTimeoutMs: 250,
      maxConnections: 3,
      handshakeTimeoutMs: DEFAULT_RTMP_SERVER_OPTIONS.handshakeTimeoutMs,
    });
  });

  it('does not share or change the defaults object', () => {
    const resolved = resolveRtmpServerOptions({ maxConnections: 7 });
    expect(resolved).not.toBe(DEFAULT_RTMP_SERVER_OPTIONS);
    expect(DEFAULT_RTMP_SERVER_OPTIONS.maxConnections).toBe(1_000);
  });

  const timeouts: (keyof RtmpServerOptions)[] = [
    'handshakeTimeoutMs',
    'connectToPublishTimeoutMs',
    'idleMediaTimeoutMs',
    'verifierTimeoutMs',
    'stalePublisherTimeoutMs',
  ];
  const counts: (keyof RtmpServerOptions)[] = [
    'maxConnections',
    'maxConnectionsPerAddress',
    'maxQueuedBytesPerConsumer',
    'outChunkSize',
    'windowAckSize',
    'maxMessageSize',
    'maxChunkSize',
    'maxChunkStreams',
    'maxPendingMessageBytes',
    'maxAmfDepth',
  ];

  describe.each(timeouts)('%s', (option) => {
    it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMEOUT_MS + 1, '1OO', '', null])(
      'refuses %p, naming the option',
      (value) => {
        expect(() => resolveRtmpServerOptions({ [option]: value } as never)).toThrow(TypeError);
        expect(() => resolveRtmpServerOptions({ [option]: value } as never)).toThrow(option);
      },
    );

    it('takes a number given as a string, as configuration gives it', () => {
      expect(resolveRtmpServerOptions({ [option]: '100' } as never)[option]).toBe(100);
    });

    it('takes any delay a Node timer can wait', () => {
      expect(resolveRtmpServerOptions({ [option]: 1 })[option]).toBe(1);
      expect(resolveRtmpServerOptions({ [option]: MAX_TIMEOUT_MS })[option]).toBe(MAX_TIMEOUT_MS);
    });
  });

  describe.each(counts)('%s', (option) => {
    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '64k', '1.5', null])(
      'refuses %p, naming the option',
      (value) => {
        expect(() => resolveRtmpServerOptions({ [option]: value } as never)).toThrow(TypeError);
        expect(() => resolveRtmpServerOptions({ [option]: value } as never)).toThrow(option);
      },
    );

    it('takes a positive integer, or one written as a string', () => {
      expect(resolveRtmpServerOptions({ [option]: 1 })[option]).toBe(1);
      expect(resolveRtmpServerOptions({ [option]: ' 64 ' } as never)[option]).toBe(64);
    });
  });

  it('names the option, the value and its type when it refuses one', () => {
    expect(() => resolveRtmpServerOptions({ port: 'twenty' } as never)).toThrow(
      'RTMP server option port must be an integer in 0..65535, got "twenty" (string)',
    );
    expect(() => resolveRtmpServerOptions({ maxConnections: null } as never)).toThrow(
      'got null (null)',
    );
  });

  it('takes a port as configuration gives it (a string: RTMP_PORT=21003)', () => {
    expect(resolveRtmpServerOptions({ port: '21003' } as never).port).toBe(21003);
  });

  it('takes switches as booleans or "true"/"false", and refuses anything else', () => {
    expect(resolveRtmpServerOptions({ gopCache: 'false' } as never).gopCache).toBe(false);
    expect(resolveRtmpServerOptions({ playersNoDelay: 'true' } as never).playersNoDelay).toBe(true);
    expect(() => resolveRtmpServerOptions({ gopCache: 'no' } as never)).toThrow(
      'RTMP server option gopCache must be true or false, got "no" (string)',
    );
  });

  it('takes playerWriteMergeMs from 0 (off, the default) to MAX_PLAYER_WRITE_MERGE_MS, as configuration gives it', () => {
    expect(resolveRtmpServerOptions().playerWriteMergeMs).toBe(0);
    expect(resolveRtmpServerOptions({ playerWriteMergeMs: '40' } as never).playerWriteMergeMs).toBe(
      40,
    );
    expect(
      resolveRtmpServerOptions({ playerWriteMergeMs: MAX_PLAYER_WRITE_MERGE_MS })
        .playerWriteMergeMs,
    ).toBe(MAX_PLAYER_WRITE_MERGE_MS);
    for (const refused of [-1, 1.5, MAX_PLAYER_WRITE_MERGE_MS + 1, 'soon']) {
      expect(() => resolveRtmpServerOptions({ playerWriteMergeMs: refused } as never)).toThrow(
        `RTMP server option playerWriteMergeMs must be an integer in 0..${MAX_PLAYER_WRITE_MERGE_MS}`,
      );
    }
  });

  it('refuses an unknown option, naming the nearest known one', () => {
    expect(() => resolveRtmpServerOptions({ idleMediaTimoutMs: 5_000 } as never)).toThrow(
      'unknown RTMP server option idleMediaTimoutMs (did you mean idleMediaTimeoutMs?)',
    );
    expect(() => resolveRtmpServerOptions({ somethingElse: 1 } as never)).toThrow(
      /^unknown RTMP server option somethingElse$/,
    );
  });

  it('keeps outChunkSize and windowAckSize within their wire fields', () => {
    expect(resolveRtmpServerOptions({ outChunkSize: 0x7fffffff }).outChunkSize).toBe(0x7fffffff);
    expect(() => resolveRtmpServerOptions({ outChunkSize: 0x80000000 })).toThrow('outChunkSize');
    expect(resolveRtmpServerOptions({ windowAckSize: 0xffffffff }).windowAckSize).toBe(0xffffffff);
    expect(() => resolveRtmpServerOptions({ windowAckSize: 2 ** 32 })).toThrow('windowAckSize');
  });

  it.each([-1, 65_536, 1.5, Number.NaN, 'rtmp', '19.35'])('refuses port %p, naming it', (port) => {
    expect(() => resolveRtmpServerOptions({ port } as never)).toThrow(TypeError);
    expect(() => resolveRtmpServerOptions({ port } as never)).toThrow('option port');
  });

  it('takes ports 0 (any free one) to 65535', () => {
    expect(resolveRtmpServerOptions({ port: 0 }).port).toBe(0);
    expect(resolveRtmpServerOptions({ port: 65_535 }).port).toBe(65_535);
  });

  it.each([['live'], [[1]], [[null]]])('refuses apps %p, naming the option', (apps) => {
    expect(() => resolveRtmpServerOptions({ apps } as never)).toThrow('option apps');
  });

  it('is what the server checks its options with', () => {
    const hooks = { verifyRequest: () => StreamVerdicts.accept() };
    expect(() => new RtmpServer({ handshakeTimeoutMs: 0 }, hooks)).toThrow('handshakeTimeoutMs');
    expect(new RtmpServer({ port: 0, maxConnections: 2 }, hooks).options.maxConnections).toBe(2);
  });
});
