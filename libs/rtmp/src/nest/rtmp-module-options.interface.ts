import { LoggerService } from '@nestjs/common';
import { RtmpServerOptions } from '../server/rtmp-server.options';
import { StreamKeyVerifier } from './stream-key-verifier';

/**
 * Options of `RtmpModule.forRoot()` / `forRootAsync()`. Every server limit may be set here
 * (see `RtmpServerOptions` for each one's default); `port` defaults to 1935.
 *
 * @publicApi
 */
export interface RtmpModuleOptions extends Partial<RtmpServerOptions> {
  /**
   * A verifier instance, for factories that build one from injected dependencies. A verifier
   * class goes in the module's `verifier` extra instead (it is then instantiated with DI).
   */
  readonly verifierInstance?: StreamKeyVerifier;
  /** Where the server logs; Nest's Logger with context "Rtmp" by default, false for silence. */
  readonly logger?: LoggerService | false;
}
