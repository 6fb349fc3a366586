import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RtmpUrlError } from '../client/rtmp-url.error';
import { StreamRelayError } from '../relay/stream-relay.error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpModuleOptions } from './rtmp-module-options.interface';
import { RtmpRelayService } from './rtmp-relay.service';
import { RtmpModule } from './rtmp.module';
import { AllowAllStreamKeyVerifier } from './stream-key-verifier';

const LOOPBACK = { port: 0, host: '127.0.0.1', logger: false } as const;
const KEY = 'dest_123456789_SecretKeyAbc';

/** What `check` threw (it must throw). */
function thrownBy(check: () => unknown): Error {
  try {
    check();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('RtmpRelayService: URLs', () => {
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    // After a failed init, close() rethrows that failure: nothing was started to close.
    await app?.close().catch(() => undefined);
    app = undefined;
  });

  /** Compiles RtmpModule with `options` and initialises it; resolves with what init threw. */
  async function initFailure(
    options: () => Partial<RtmpModuleOptions>,
    async = false,
  ): Promise<unknown> {
    const module = async
      ? RtmpModule.forRootAsync({
          useFactory: () => ({ ...LOOPBACK, ...options() }),
          verifier: AllowAllStreamKeyVerifier,
        })
      : RtmpModule.forRoot({ ...LOOPBACK, ...options(), verifier: AllowAllStreamKeyVerifier });
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    app = moduleRef;
    return moduleRef.init().then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it.each([false, true])(
    'a relay destination that is not an RTMP URL stops the bootstrap (forRootAsync: %p)',
    async (async) => {
      const failure = await initFailure(
        () => ({ relays: [{ match: 'live/*', destinations: [`http://host/live/${KEY}`] }] }),
        async,
      );
      expect(failure).toBeInstanceOf(RtmpUrlError);
      expect((failure as Error).message).toBe(
        'RtmpModule relays[0] (match "live/*") destinations[0]: invalid RTMP URL ' +
          'http://host/live/des***(27): the scheme must be rtmp:// or rtmps://',
      );
    },
  );

  it('relay timing from configuration: strings taken as numbers, a bad value stops the bootstrap', async () => {
    const failure = await initFailure(
      () => ({ relayStallTimeoutMs: 'soon', relayBackoff: { initialDelayMs: '500' } }) as never,
      true,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as Error).message).toContain('relayStallTimeoutMs must be a number');
    await app?.close().catch(() => undefined);
    const fine = await initFailure(
      () => ({ relayStallTimeoutMs: '0', relayBackoff: { initialDelayMs: '500' } }) as never,
      true,
    );
    expect(fine).toBeUndefined();
  });

  it('a pull source that is not an RTMP URL stops the bootstrap', async () => {
    const failure = await initFailure(() => ({
      pulls: [{ from: `rtmp://origin:0/live/${KEY}`, app: 'edge', name: 'cam' }],
    }));
    expect(failure).toBeInstanceOf(RtmpUrlError);
    expect(failure).toMatchObject({ rule: 'port', code: RtmpErrorCode.ClientUrlInvalid });
    expect((failure as Error).message).not.toContain(KEY);
  });

  describe('at run time', () => {
    let relays: RtmpRelayService;

    beforeEach(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [RtmpModule.forRoot({ ...LOOPBACK, verifier: AllowAllStreamKeyVerifier })],
      }).compile();
      app = moduleRef;
      await moduleRef.init();
      relays = moduleRef.get(RtmpRelayService);
    });

    it('start() throws RtmpUrlError for a bad URL, whether the stream is live or not', () => {
      const error = thrownBy(() => relays.start('live', 'not-live', `rtmp://host/${KEY}`));
      expect(error).toBeInstanceOf(RtmpUrlError);
      expect(error).toMatchObject({
        code: RtmpErrorCode.ClientUrlInvalid,
        rule: 'app-and-name',
        url: 'rtmp://host/des***(27)',
      });
      expect(error.message).not.toContain(KEY);
      // A good URL for a stream that is not live is another error.
      const notLive = thrownBy(() => relays.start('live', 'not-live', `rtmp://host/live/${KEY}`));
      expect(notLive).not.toBeInstanceOf(RtmpUrlError);
      expect(notLive).toBeInstanceOf(StreamRelayError);
      expect(notLive).toMatchObject({ code: RtmpErrorCode.RelayStreamNotLive });
      expect(notLive.message).toBe('cannot relay live/***(8): the stream is not live');
      expect(relays.list()).toEqual([]);
    });

    it('pull() throws RtmpUrlError for a bad URL', () => {
      const error = thrownBy(() => relays.pull(`rtmpx://origin/live/${KEY}`, 'edge', 'cam'));
      expect(error).toBeInstanceOf(RtmpUrlError);
      expect(error).toMatchObject({ rule: 'scheme', url: 'rtmpx://origin/live/des***(27)' });
      expect(relays.listPulls()).toEqual([]);
    });
  });
});
