import { Module } from '@nestjs/common';
import { RtmpConfigurableModule } from './rtmp.module-definition';
import { RtmpRelayService } from './rtmp-relay.service';
import { RtmpServerService } from './rtmp-server.service';

/**
 * RTMP ingest for Nest applications.
 *
 * ```ts
 * RtmpModule.forRoot({ port: 1935, verifier: MyStreamKeyVerifier })
 * RtmpModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ port: config.get('RTMP_PORT') }),
 *   verifier: MyStreamKeyVerifier })
 * ```
 *
 * @publicApi
 */
@Module({
  providers: [RtmpServerService, RtmpRelayService],
  exports: [RtmpServerService, RtmpRelayService],
})
export class RtmpModule extends RtmpConfigurableModule {}
