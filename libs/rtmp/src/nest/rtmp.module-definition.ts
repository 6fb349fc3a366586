import { ConfigurableModuleBuilder, Provider, Type } from '@nestjs/common';
import { RtmpModuleOptions } from './rtmp-module-options.interface';
import { StreamKeyVerifier } from './stream-key-verifier';

/** Read when the module is defined; never part of the options object. */
export interface RtmpModuleExtras {
  /** Make RtmpServerService injectable everywhere without importing RtmpModule again. */
  readonly isGlobal?: boolean;
  /** The verifier class, instantiated with DI (it may inject repositories, HTTP clients...). */
  readonly verifier?: Type<StreamKeyVerifier>;
}

export const {
  ConfigurableModuleClass: RtmpConfigurableModule,
  MODULE_OPTIONS_TOKEN: RTMP_MODULE_OPTIONS,
  OPTIONS_TYPE: RTMP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RTMP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RtmpModuleOptions>({ moduleName: 'Rtmp' })
  .setClassMethodName('forRoot')
  .setExtras<RtmpModuleExtras>(
    // Every extra is listed here: Nest strips only these keys from the options object.
    { isGlobal: false, verifier: undefined },
    (definition, extras) => {
      const providers: Provider[] = [...(definition.providers ?? [])];
      if (extras.verifier !== undefined) {
        providers.push(extras.verifier, {
          provide: StreamKeyVerifier,
          useExisting: extras.verifier,
        });
      }
      return { ...definition, global: extras.isGlobal, providers };
    },
  )
  .build();
