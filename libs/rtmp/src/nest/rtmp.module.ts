import { Module } from '@nestjs/common';
import { RtmpConfigurableModule } from './rtmp.module-definition';

/**
 * RTMP ingest for Nest applications. Configure it once, in the root module, with `forRoot` or
 * `forRootAsync`; it is global by default. A feature module may also list the bare class
 * (`imports: [RtmpModule]`) to say it uses RTMP: that adds nothing and reaches the configured
 * one.
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
@Module({})
export class RtmpModule extends RtmpConfigurableModule {}
