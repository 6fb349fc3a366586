import { Module } from '@nestjs/common';
import { RtmpConfigurableModule } from './rtmp.module-definition';
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
  providers: [RtmpServerService],
  exports: [RtmpServerService],
})
export class RtmpModule extends RtmpConfigurableModule {}
