import { Module } from '@nestjs/common';
import { RtmpModule } from '../../../src';
import { DemoConfig } from './demo-config';
import { StreamKeysVerifier } from './stream-keys.verifier';
import { StreamRecorderService } from './stream-recorder.service';
import { StreamStatsService } from './stream-stats.service';

/** Provides the demo's configuration to RtmpModule.forRootAsync and to the demo's services. */
@Module({
  providers: [{ provide: DemoConfig, useFactory: () => new DemoConfig(process.env) }],
  exports: [DemoConfig],
})
export class DemoConfigModule {}

@Module({
  imports: [
    DemoConfigModule,
    RtmpModule.forRootAsync({
      imports: [DemoConfigModule],
      inject: [DemoConfig],
      useFactory: (config: DemoConfig) => ({
        port: config.port,
        host: config.host,
        apps: config.apps,
        relays:
          config.relayUrls.length > 0 ? [{ match: '*/*', destinations: config.relayUrls }] : [],
      }),
      verifier: StreamKeysVerifier,
    }),
  ],
  providers: [StreamStatsService, StreamRecorderService],
})
export class AppModule {}
