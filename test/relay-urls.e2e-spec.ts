import { INestApplicationContext, Module } from '@nestjs/common';
import { liveStreamOf } from '../libs/rtmp/src/nest/rtmp-server.service';
import { NestFactory } from '@nestjs/core';
import { connect } from 'net';
import { filter, firstValueFrom, map, Observable } from 'rxjs';
import {
  AllowAllStreamKeyVerifier,
  maskStreamKey,
  StreamVerdicts,
  RelayStatus,
  RtmpClientError,
  RtmpErrorCode,
  RtmpModule,
  RtmpRelayService,
  RtmpServer,
  RtmpServerService,
  RtmpUrlError,
} from '../libs/rtmp/src';
import { describeStream } from '../libs/rtmp/src/common/mask-stream-key';
import { NetStatusCode } from '../libs/rtmp/src/protocol';
import { CaptureLogger } from './support/capture-logger';
import { NginxRtmp } from './support/nginx-rtmp';
import { freeLoopbackPort } from './support/ports';
import { ScriptedRtmpClient } from './support/scripted-rtmp-client';
import { createSelfSignedCertificate, TlsTerminator } from './support/tls-terminator';

/** In a destination's path: long enough that its masked form ("rel***(26)") gives nothing away. */
const KEY = 'relay-urls-secret-key-1234';
/** In a destination's userinfo: must never reach a log, an error or the destination. */
const PASSWORD = 'relay-Passw0rd!never-logged';
/**
 * A host name that cannot resolve: `.invalid` is reserved for that (RFC 6761), so no outside
 * name server is asked about anything real. The local resolver must still answer: here it says
 * NXDOMAIN (ENOTFOUND) in about 0.1 s. Where no resolver answers, getaddrinfo gives EAI_AGAIN,
 * which is transient: the tests below would then show `retrying` instead of `failing`.
 */
const UNKNOWN_HOST = 'relay-destination.nonexistent.invalid';
const BACKOFF = { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 };

/** `promise`, or a rejection naming `what` if it takes longer than `ms`: fail fast and say why. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves with the first status (the current one, or one to come) that matches. */
function statusOf(
  status$: Observable<RelayStatus>,
  matches: (status: RelayStatus) => boolean,
): Promise<RelayStatus> {
  return firstValueFrom(status$.pipe(filter(matches)));
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Every form a secret could take in text: as written, percent-encoded, and a telling part. */
function secretsIn(texts: readonly string[]): string[] {
  const secrets = [KEY, 'secret-key', PASSWORD, encodeURIComponent(PASSWORD), 'never-logged'];
  return texts.filter((text) => secrets.some((secret) => text.includes(secret)));
}

describe('relay and pull URLs (issue 19 item 7)', () => {
  describe('checked at startup', () => {
    it('an http:// relay destination stops the bootstrap: the error names the rule and the URL, key masked; nothing listens', async () => {
      const port = await freeLoopbackPort();
      const logger = new CaptureLogger();
      @Module({
        imports: [
          RtmpModule.forRoot({
            port,
            host: '127.0.0.1',
            logger,
            verifier: AllowAllStreamKeyVerifier,
            relays: [
              { match: 'live/*', destinations: ['rtmp://127.0.0.1:1935/live/{name}'] },
              { match: 'studio/*', destinations: [`http://a.rtmp.example/live2/${KEY}`] },
            ],
          }),
        ],
      })
      class HttpRelayModule {}
      const failure = await NestFactory.createApplicationContext(HttpRelayModule, {
        logger,
        abortOnError: false,
      }).then(
        async (app: INestApplicationContext) => {
          await app.close();
          return undefined;
        },
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(RtmpUrlError);
      expect(failure).toMatchObject({
        code: RtmpErrorCode.ClientUrlInvalid,
        rule: 'scheme',
        url: 'http://a.rtmp.example/live2/rel***(26)',
      });
      expect((failure as Error).message).toBe(
        'RtmpModule relays[1] (match "studio/*") destinations[0]: invalid RTMP URL ' +
          'http://a.rtmp.example/live2/rel***(26): the scheme must be rtmp:// or rtmps://',
      );
      expect(secretsIn([(failure as Error).message, ...logger.texts()])).toEqual([]);
      expect(await portRefuses(port)).toBe(true);
    });

    it('a pull source from a useFactory with a password and no stream name stops the bootstrap, password masked', async () => {
      const logger = new CaptureLogger();
      @Module({
        imports: [
          RtmpModule.forRootAsync({
            useFactory: () => ({
              port: 0,
              host: '127.0.0.1',
              logger,
              pulls: [
                {
                  from: `rtmp://puller:${encodeURIComponent(PASSWORD)}@origin.example/${KEY}`,
                  app: 'edge',
                  name: 'camera-1',
                },
              ],
            }),
            verifier: AllowAllStreamKeyVerifier,
          }),
        ],
      })
      class PullWithoutNameModule {}
      const failure = await NestFactory.createApplicationContext(PullWithoutNameModule, {
        logger,
        abortOnError: false,
      }).then(
        async (app: INestApplicationContext) => {
          await app.close();
          return undefined;
        },
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(RtmpUrlError);
      expect((failure as RtmpUrlError).rule).toBe('app-and-name');
      expect((failure as Error).message).toMatch(
        /^RtmpModule pulls\[0\] \(into edge\/\*\*\*\(8\)\) from: invalid RTMP URL rtmp:\/\/puller:rel\*\*\*\(\d+\)@origin\.example\/rel\*\*\*\(26\): it needs an app and a stream name/,
      );
      expect(secretsIn([(failure as Error).message, ...logger.texts()])).toEqual([]);
    });
  });

  describe('while running', () => {
    /** Records what it is given: it must see the stream, never the userinfo. */
    let nginx: NginxRtmp;
    /** Serves app `live` only, and only keys starting with `good`, for publish and play. */
    let strict: RtmpServer;
    /** TLS in front of `strict`, with a certificate nobody trusts. */
    let untrusted: TlsTerminator;
    let app: INestApplicationContext;
    let relays: RtmpRelayService;
    let ingestPort: number;
    const logger = new CaptureLogger();
    const cleanups: (() => Promise<unknown> | void)[] = [];

    beforeAll(async () => {
      nginx = await NginxRtmp.start({ onPublish: () => 200 });
      strict = new RtmpServer(
        { port: 0, host: '127.0.0.1', apps: ['live'] },
        {
          verifyRequest: (request) =>
            request.streamName.startsWith('good')
              ? StreamVerdicts.accept()
              : StreamVerdicts.reject('unknown stream key'),
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        },
      );
      const strictPort = (await strict.listen()).port;
      untrusted = await TlsTerminator.start(strictPort, await createSelfSignedCertificate());
      const auth = `relay-user:${encodeURIComponent(PASSWORD)}`;
      @Module({
        imports: [
          RtmpModule.forRoot({
            port: 0,
            host: '127.0.0.1',
            logger,
            verifier: AllowAllStreamKeyVerifier,
            relayBackoff: BACKOFF,
            relays: [
              {
                match: 'auth/*',
                destinations: [`rtmp://${auth}@127.0.0.1:${nginx.port}/live/{name}`],
              },
              { match: 'nowhere/*', destinations: [`rtmp://${UNKNOWN_HOST}/live/{name}`] },
              {
                match: 'wrongapp/*',
                destinations: [`rtmp://127.0.0.1:${strictPort}/elsewhere/{name}`],
              },
              { match: 'badkey/*', destinations: [`rtmp://127.0.0.1:${strictPort}/live/{name}`] },
              {
                match: 'untrusted/*',
                destinations: [`rtmps://127.0.0.1:${untrusted.port}/live/good-{name}`],
              },
            ],
          }),
        ],
      })
      class RunningModule {}
      app = await NestFactory.createApplicationContext(RunningModule, { logger });
      relays = app.get(RtmpRelayService);
      ingestPort = (app.get(RtmpServerService).address() as { port: number }).port;
    }, 30_000);

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    afterAll(async () => {
      await app?.close();
      await Promise.all([nginx?.dispose(), untrusted?.close(), strict?.close()]);
    });

    /** Publishes `app/name` to the ingest, a keyframe every 20 ms until cleanup. */
    async function publishIngest(appName: string, name: string): Promise<void> {
      const publisher = await ScriptedRtmpClient.connect(ingestPort);
      cleanups.push(() => publisher.close());
      const { streamId, status } = await publisher.publish(appName, name);
      expect(status.code).toBe(NetStatusCode.PublishStart);
      publisher.sendMedia(streamId, 9, 0, Buffer.from([0x17, 0, 0, 0, 0, 1, 0x42, 0xc0, 0x1e]));
      let timestamp = 0;
      const timer = setInterval(() => {
        timestamp += 40;
        publisher.sendMedia(streamId, 9, timestamp, Buffer.from([0x17, 0x01, 0, 0, 0, 0xaa]));
      }, 20);
      cleanups.push(() => clearInterval(timer));
    }

    /** The relay a rule started for `app/name`. */
    function relayOf(appName: string, name: string) {
      return within(
        5_000,
        `relay of ${appName}/${name}`,
        firstValueFrom(
          relays.relays$.pipe(
            map((list) => list.find((h) => h.app === appName && h.name === name)),
            filter((handle) => handle !== undefined),
          ),
        ),
      );
    }

    /**
     * A relay's or pull's first failed attempt and the one after it, which must both be
     * `failing`: it keeps trying, connecting again after its delay, and fails the same way.
     */
    async function failingTwice(status$: Observable<RelayStatus>, what: string) {
      // Any failed attempt, so that a `retrying` one shows in the assertion, not as a timeout.
      const failed = (status: RelayStatus): boolean =>
        status.state === 'failing' || status.state === 'retrying';
      const first = await within(5_000, `${what}: a failed attempt`, statusOf(status$, failed));
      const states: string[] = [];
      const subscription = status$.subscribe((status) => states.push(status.state));
      await within(
        5_000,
        `${what}: another attempt`,
        statusOf(status$, (s) => s.state === 'connecting'),
      );
      const second = await within(5_000, `${what}: its failure`, statusOf(status$, failed));
      subscription.unsubscribe();
      expect(states.slice(0, 3)).toEqual(['failing', 'connecting', 'failing']);
      expect(second.reason).toBe(first.reason);
      expect(second.retryInMs).toBe(
        Math.min(BACKOFF.maxDelayMs, BACKOFF.multiplier * (first.retryInMs as number)),
      );
      return [first, second];
    }

    it('relays to rtmp://user:password@host (nginx-rtmp): the destination gets the stream, not the userinfo; logs and the handle mask the password', async () => {
      const name = `${KEY}-auth`;
      await publishIngest('auth', name);
      const handle = await relayOf('auth', name);
      await within(
        5_000,
        'live relay',
        statusOf(handle.status$, (s) => s.state === 'live'),
      );

      const published = nginx.notifications.filter((n) => n.call === 'publish');
      expect(published.map((n) => n.name)).toEqual([name]);
      expect(published[0].args.get('tcurl')).toBe(`rtmp://127.0.0.1:${nginx.port}/live`);
      const sentToNginx = [...published[0].args.values()];
      expect(sentToNginx.filter((value) => /relay-user|Passw0rd/.test(value))).toEqual([]);

      const shown = `rtmp://relay-user:${maskStreamKey(encodeURIComponent(PASSWORD))}@127.0.0.1:${nginx.port}/live/${maskStreamKey(name)}`;
      expect(handle.destination).toBe(shown);
      // The app is shown only when the server lists its apps (describeStream): this one does not.
      const label = describeStream('auth', name, undefined);
      const live = await logger.waitFor((line) => line.message.startsWith(`${label} → `));
      expect(live.message).toBe(`${label} → ${shown}: live`);
      expect(secretsIn(logger.texts())).toEqual([]);
    });

    it('an unknown host is failing (unknown-host), logged as an error, and tried again', async () => {
      const name = `${KEY}-nowhere`;
      await publishIngest('nowhere', name);
      const handle = await relayOf('nowhere', name);
      const [first, second] = await failingTwice(handle.status$, 'unknown host');

      for (const status of [first, second]) {
        expect(status).toMatchObject({ state: 'failing', reason: 'unknown-host' });
        expect(status.error).toBeInstanceOf(RtmpClientError);
        expect(status.error).toMatchObject({ code: RtmpErrorCode.ClientConnectFailed });
        expect(status.error?.message).toContain(`${UNKNOWN_HOST}:1935/live/${maskStreamKey(name)}`);
        expect(status.error?.message).toContain('ENOTFOUND');
      }
      const [line] = logger.matching(/failing \(unknown-host\)/);
      expect(line.level).toBe('error');
      expect(line.message).toContain(
        `${describeStream('nowhere', name, undefined)} → rtmp://${UNKNOWN_HOST}`,
      );
    });

    it('an app the destination does not serve is failing (connect-refused, NetConnection.Connect.InvalidApp)', async () => {
      const name = `${KEY}-wrongapp`;
      await publishIngest('wrongapp', name);
      const handle = await relayOf('wrongapp', name);
      const [first] = await failingTwice(handle.status$, 'app refused');

      expect(first).toMatchObject({ state: 'failing', reason: 'connect-refused' });
      expect(first.error).toMatchObject({
        code: RtmpErrorCode.ClientRejected,
        serverCode: NetStatusCode.ConnectInvalidApp,
      });
      expect(first.error?.message).not.toContain(KEY);
    });

    it('a key the destination refuses is failing (publish-refused, NetStream.Publish.BadName)', async () => {
      const name = `${KEY}-badkey`;
      await publishIngest('badkey', name);
      const handle = await relayOf('badkey', name);
      const [first] = await failingTwice(handle.status$, 'key refused');

      expect(first).toMatchObject({ state: 'failing', reason: 'publish-refused' });
      expect(first.error).toMatchObject({
        code: RtmpErrorCode.ClientRejected,
        serverCode: NetStatusCode.PublishBadName,
      });
      expect(first.error?.message).not.toContain(KEY);
    });

    it('an rtmps:// destination whose certificate nobody trusts is failing (tls-rejected)', async () => {
      const name = `${KEY}-untrusted`;
      await publishIngest('untrusted', name);
      const handle = await relayOf('untrusted', name);
      const [first] = await failingTwice(handle.status$, 'certificate refused');

      expect(first).toMatchObject({ state: 'failing', reason: 'tls-rejected' });
      expect(first.error).toMatchObject({ code: RtmpErrorCode.ClientConnectFailed });
      expect(untrusted.connections).toBe(0);
    });

    it('start() with a bad URL throws RtmpUrlError (a controller answers 400 with it), the stream being live', async () => {
      const name = `${KEY}-start`;
      await publishIngest('manual', name);
      expect(liveStreamOf(app.get(RtmpServerService), 'manual', name)).toBeDefined();
      const before = relays.list().length;

      const bad: [string, string, string][] = [
        [`http://host/live/${KEY}`, 'scheme', 'http://host/live/rel***(26)'],
        [`rtmp://host/${KEY}`, 'app-and-name', 'rtmp://host/rel***(26)'],
        [`rtmp://u:${encodeURIComponent(PASSWORD)}@host:0/a/${KEY}`, 'port', 'rtmp://u:rel***('],
      ];
      for (const [url, rule, shown] of bad) {
        let thrown: unknown;
        try {
          relays.start('manual', name, url);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(RtmpUrlError);
        expect(thrown).toMatchObject({ code: RtmpErrorCode.ClientUrlInvalid, rule });
        expect((thrown as RtmpUrlError).url).toContain(shown);
        expect(secretsIn([(thrown as Error).message])).toEqual([]);
      }
      expect(relays.list()).toHaveLength(before);
    });

    it('pulls: an unknown host is failing (unknown-host), a stream the source refuses to play is failing (play-refused)', async () => {
      const nowhere = relays.pull(`rtmp://${UNKNOWN_HOST}/live/${KEY}`, 'edge', 'from-nowhere');
      cleanups.push(() => nowhere.stop());
      const overTls = relays.pull(
        `rtmps://127.0.0.1:${untrusted.port}/live/${KEY}`,
        'edge',
        'from-untrusted',
      );
      cleanups.push(() => overTls.stop());
      const [lost] = await failingTwice(nowhere.status$, 'pull from an unknown host');
      expect(lost).toMatchObject({ state: 'failing', reason: 'unknown-host' });
      const [untrustedSource] = await failingTwice(overTls.status$, 'pull over untrusted TLS');
      expect(untrustedSource).toMatchObject({ state: 'failing', reason: 'tls-rejected' });

      const strictPort = (strict.address() as { port: number }).port;
      const denied = relays.pull(`rtmp://127.0.0.1:${strictPort}/live/${KEY}`, 'edge', 'denied');
      cleanups.push(() => denied.stop());
      const [refusedPlay] = await failingTwice(denied.status$, 'play refused');
      expect(refusedPlay).toMatchObject({ state: 'failing', reason: 'play-refused' });
      expect(refusedPlay.error).toMatchObject({ serverCode: NetStatusCode.PlayFailed });
    });
  });
});
