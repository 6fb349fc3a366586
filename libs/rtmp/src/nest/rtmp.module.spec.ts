import { Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect } from 'net';
import { of } from 'rxjs';
import { StreamRequest, StreamVerdicts } from '../server/stream-request';
import { DuplicateStreamKeyVerifierError } from './duplicate-verifier.error';
import { MissingStreamKeyVerifierError } from './missing-verifier.error';
import { RtmpModuleOptions } from './rtmp-module-options.interface';
import { RTMP_MODULE_OPTIONS } from './rtmp-module-options.token';
import { RtmpServerService } from './rtmp-server.service';
import { RtmpModule } from './rtmp.module';
import { AllowAllStreamKeyVerifier, StreamKeyVerifier } from './stream-key-verifier';

const LOOPBACK = { port: 0, host: '127.0.0.1', logger: false } as const;

@Injectable()
class KeyStore {
  readonly keys = new Set(['good']);
}

@Injectable()
class KeyStoreVerifier extends StreamKeyVerifier {
  constructor(readonly store: KeyStore) {
    super();
  }

  verify(request: StreamRequest) {
    return this.store.keys.has(request.streamName)
      ? StreamVerdicts.accept()
      : StreamVerdicts.reject('no');
  }
}

@Module({ providers: [KeyStore, KeyStoreVerifier], exports: [KeyStore, KeyStoreVerifier] })
class KeyStoreModule {}

@Module({ providers: [KeyStore], exports: [KeyStore] })
class KeyStoreOnlyModule {}

class RtmpOptionsFactory {
  create(): RtmpModuleOptions {
    return { ...LOOPBACK, maxConnections: 7 };
  }
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

describe('RtmpModule', () => {
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(
    imports: unknown[],
    providers: unknown[] = [],
  ): Promise<INestApplicationContext> {
    const moduleRef = await Test.createTestingModule({
      imports: imports as never[],
      providers: providers as never[],
    }).compile();
    app = moduleRef;
    await moduleRef.init();
    return moduleRef;
  }

  it('forRoot: passes the options, listens on port 0 and exposes the bound address', async () => {
    const context = await start([
      RtmpModule.forRoot({
        ...LOOPBACK,
        idleMediaTimeoutMs: 1234,
        verifier: AllowAllStreamKeyVerifier,
      }),
    ]);
    expect(context.get(RTMP_MODULE_OPTIONS)).toMatchObject({ idleMediaTimeoutMs: 1234, port: 0 });
    const address = context.get(RtmpServerService).address();
    expect(address?.address).toBe('127.0.0.1');
    expect(address?.port).toBeGreaterThan(0);
    expect(await portRefuses(address!.port)).toBe(false);
  });

  it('forRoot: keeps the extras (verifier, isGlobal) out of the options', async () => {
    const context = await start([
      RtmpModule.forRoot({ ...LOOPBACK, verifier: AllowAllStreamKeyVerifier }),
    ]);
    const options = context.get<Record<string, unknown>>(RTMP_MODULE_OPTIONS);
    expect(options).not.toHaveProperty('verifier');
    expect(options).not.toHaveProperty('isGlobal');
  });

  it('instantiates a verifier class with DI, its dependencies coming through imports', async () => {
    const context = await start([
      RtmpModule.forRootAsync({
        imports: [KeyStoreOnlyModule],
        useFactory: () => LOOPBACK,
        verifier: KeyStoreVerifier,
      }),
    ]);
    const verifier = context.get(StreamKeyVerifier, { strict: false });
    expect(verifier).toBeInstanceOf(KeyStoreVerifier);
    expect((verifier as KeyStoreVerifier).store).toBeInstanceOf(KeyStore);
  });

  it('forRootAsync with useFactory, inject and imports', async () => {
    const context = await start([
      RtmpModule.forRootAsync({
        imports: [KeyStoreModule],
        inject: [KeyStoreVerifier],
        useFactory: (verifier: KeyStoreVerifier) => ({ ...LOOPBACK, verifierInstance: verifier }),
      }),
    ]);
    expect(context.get(RTMP_MODULE_OPTIONS).verifierInstance).toBeInstanceOf(KeyStoreVerifier);
    expect(context.get(RtmpServerService).address()?.port).toBeGreaterThan(0);
  });

  it('forRootAsync with useClass', async () => {
    const context = await start([
      RtmpModule.forRootAsync({
        useClass: RtmpOptionsFactory,
        verifier: AllowAllStreamKeyVerifier,
      }),
    ]);
    expect(context.get(RTMP_MODULE_OPTIONS)).toMatchObject({ maxConnections: 7 });
  });

  it('finds a verifier the application registers as a provider under the StreamKeyVerifier token', async () => {
    const context = await start(
      [RtmpModule.forRoot(LOOPBACK)],
      [KeyStore, { provide: StreamKeyVerifier, useClass: KeyStoreVerifier }],
    );
    expect(context.get(RtmpServerService).address()?.port).toBeGreaterThan(0);
  });

  it('lets tests swap the verifier with overrideProvider', async () => {
    const swapped = { verify: jest.fn(() => of(StreamVerdicts.reject('swapped'))) };
    const moduleRef = await Test.createTestingModule({
      imports: [RtmpModule.forRoot({ ...LOOPBACK, verifier: AllowAllStreamKeyVerifier })],
    })
      .overrideProvider(StreamKeyVerifier)
      .useValue(swapped)
      .compile();
    app = moduleRef;
    await moduleRef.init();
    expect(moduleRef.get(StreamKeyVerifier, { strict: false })).toBe(swapped);
    // The service verifies with the swapped one.
    const service = moduleRef.get(RtmpServerService) as unknown as { verifier: unknown };
    expect(service.verifier).toBe(swapped);
  });

  it('forRootAsync takes numbers as configuration gives them: strings (RTMP_PORT=0)', async () => {
    const context = await start([
      RtmpModule.forRootAsync({
        useFactory: () => ({ port: '0', host: '127.0.0.1', maxConnections: '7' }) as never,
        verifier: AllowAllStreamKeyVerifier,
      }),
    ]);
    expect(context.get(RtmpServerService).address()?.port).toBeGreaterThan(0);
  });

  it.each([
    [
      { idleMediaTimoutMs: 5_000 },
      'unknown RtmpModule option idleMediaTimoutMs (did you mean idleMediaTimeoutMs?)',
    ],
    [{ relayBackof: {} }, 'unknown RtmpModule option relayBackof (did you mean relayBackoff?)'],
    [
      { port: 'rtmp' },
      'RTMP server option port must be an integer in 0..65535, got "rtmp" (string)',
    ],
  ])('refuses to start with %p from a useFactory, saying what is wrong', async (extra, message) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RtmpModule.forRootAsync({
          useFactory: () => ({ ...LOOPBACK, ...extra }) as never,
          verifier: AllowAllStreamKeyVerifier,
        }),
      ],
    }).compile();
    const failure = await moduleRef.init().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as Error).message).toBe(message);
  });

  it('refuses to start without a verifier, saying how to register one', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RtmpModule.forRoot(LOOPBACK)],
    }).compile();
    const failure = await moduleRef.init().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MissingStreamKeyVerifierError);
    expect((failure as Error).message).toContain(
      'RtmpModule.forRoot({ port: 1935, verifier: MyVerifier })',
    );
    expect((failure as Error).message).toContain('AllowAllStreamKeyVerifier');
  });

  describe('is global by default, as the server is one per process', () => {
    @Injectable()
    class Consumer {
      constructor(readonly rtmp: RtmpServerService) {}
    }

    it('modules that do not import RtmpModule inject the configured service', async () => {
      @Module({ providers: [Consumer] })
      class FeatureModule {}
      const context = await start([
        RtmpModule.forRoot({ ...LOOPBACK, verifier: AllowAllStreamKeyVerifier }),
        FeatureModule,
      ]);
      expect(context.get(Consumer, { strict: false }).rtmp).toBe(context.get(RtmpServerService));
    });

    it('a feature module may import the bare RtmpModule: it reaches the configured one, no second server', async () => {
      @Module({ imports: [RtmpModule], providers: [Consumer] })
      class FeatureModule {}
      const context = await start([
        RtmpModule.forRootAsync({
          useFactory: () => LOOPBACK,
          verifier: AllowAllStreamKeyVerifier,
        }),
        FeatureModule,
      ]);
      const service = context.get(RtmpServerService);
      expect(context.get(Consumer, { strict: false }).rtmp).toBe(service);
      expect(service.address()?.port).toBeGreaterThan(0);
    });

    it('isGlobal: false keeps it to the modules that import it (a shared module re-exporting it)', async () => {
      @Module({
        imports: [
          RtmpModule.forRoot({ ...LOOPBACK, isGlobal: false, verifier: AllowAllStreamKeyVerifier }),
        ],
        exports: [RtmpModule],
      })
      class SharedRtmpModule {}
      @Module({ imports: [SharedRtmpModule], providers: [Consumer] })
      class UsingModule {}
      @Module({ providers: [Consumer] })
      class OtherModule {}

      const context = await start([SharedRtmpModule, UsingModule]);
      expect(context.get(Consumer, { strict: false }).rtmp).toBe(context.get(RtmpServerService));
      await context.close();
      app = undefined;

      const failure = await Test.createTestingModule({ imports: [SharedRtmpModule, OtherModule] })
        .compile()
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(String(failure)).toContain('RtmpServerService');
    });
  });

  describe('refuses two StreamKeyVerifiers, naming both', () => {
    @Injectable()
    class OtherVerifier extends StreamKeyVerifier {
      verify() {
        return StreamVerdicts.reject('other');
      }
    }

    async function failureOf(imports: unknown[], providers: unknown[] = []): Promise<unknown> {
      const moduleRef = await Test.createTestingModule({
        imports: imports as never[],
        providers: providers as never[],
      }).compile();
      return moduleRef.init().then(
        async () => {
          await moduleRef.close();
          return undefined;
        },
        (error: unknown) => error,
      );
    }

    it('the verifier option and a StreamKeyVerifier provider in another module', async () => {
      @Module({ providers: [{ provide: StreamKeyVerifier, useClass: OtherVerifier }] })
      class AuthModule {}
      const failure = await failureOf([
        RtmpModule.forRoot({ ...LOOPBACK, verifier: AllowAllStreamKeyVerifier }),
        AuthModule,
      ]);
      expect(failure).toBeInstanceOf(DuplicateStreamKeyVerifierError);
      expect((failure as Error).message).toContain(
        'AllowAllStreamKeyVerifier (provided in RtmpModule)',
      );
      expect((failure as Error).message).toContain('OtherVerifier (provided in AuthModule)');
    });

    it('the verifierInstance option and a provider of the application', async () => {
      const failure = await failureOf(
        [RtmpModule.forRoot({ ...LOOPBACK, verifierInstance: new AllowAllStreamKeyVerifier() })],
        [{ provide: StreamKeyVerifier, useClass: OtherVerifier }],
      );
      expect(failure).toBeInstanceOf(DuplicateStreamKeyVerifierError);
      expect((failure as Error).message).toMatch(
        /^RtmpModule found 2 StreamKeyVerifiers: AllowAllStreamKeyVerifier \(RtmpModule's verifierInstance option\), OtherVerifier \(provided in RootTestModule\)\./,
      );
    });
  });

  it('stops listening and completes its observables when the application closes', async () => {
    const context = await start([
      RtmpModule.forRoot({ ...LOOPBACK, verifier: AllowAllStreamKeyVerifier }),
    ]);
    const service = context.get(RtmpServerService);
    const port = service.address()!.port;
    const completed = jest.fn();
    service.streamRequests$.subscribe({ complete: completed });
    service.liveStreams$.subscribe({ complete: completed });
    await context.close();
    app = undefined;
    expect(completed).toHaveBeenCalledTimes(2);
    expect(await portRefuses(port)).toBe(true);
  });
});
