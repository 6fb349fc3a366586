import { ConfigurableModuleBuilder, Provider, Type } from '@nestjs/common';
import { RtmpModuleOptions } from './rtmp-module-options.interface';
import { RTMP_MODULE_OPTIONS } from './rtmp-module-options.token';
import { RtmpRelayService } from './rtmp-relay.service';
import { RtmpServerService } from './rtmp-server.service';
import { StreamKeyVerifier } from './stream-key-verifier';

/** Read when the module is defined; never part of the options object. */
export interface RtmpModuleExtras {
  /**
   * Whether RtmpServerService and RtmpRelayService are injectable in every module (default
   * true: the server is one per process, like a database connection). With false, only
   * modules that import this configured module (e.g. through a module that re-exports it)
   * can inject them.
   */
  readonly isGlobal?: boolean;
  /** The verifier class, instantiated with DI (it may inject repositories, HTTP clients...). */
  readonly verifier?: Type<StreamKeyVerifier>;
}

export const {
  ConfigurableModuleClass: RtmpConfigurableModule,
  OPTIONS_TYPE: RTMP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RTMP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RtmpModuleOptions>({
  moduleName: 'Rtmp',
  optionsInjectionToken: RTMP_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<RtmpModuleExtras>(
    // Every extra is listed here: Nest strips only these keys from the options object.
    { isGlobal: true, verifier: undefined },
    (definition, extras) => {
      // The services live here, not in RtmpModule's decorator: a feature module's bare
      // `imports: [RtmpModule]` then adds nothing of its own (no second server wanting options)
      // and its providers reach the one configured by forRoot.
      const providers: Provider[] = [
        ...(definition.providers ?? []),
        RtmpServerService,
        RtmpRelayService,
      ];
      if (extras.verifier !== undefined) {
        providers.push(extras.verifier, {
          provide: StreamKeyVerifier,
          useExisting: extras.verifier,
        });
      }
      return {
        ...definition,
        global: extras.isGlobal,
        providers,
        exports: [...(definition.exports ?? []), RtmpServerService, RtmpRelayService],
      };
    },
  )
  .build();
