import { LoggerService } from '@nestjs/common';
import { ReconnectRequestHosts } from '../relay/reconnect-request-policy';
import { RelayBackoff } from '../relay/retry-backoff';
import { RTMP_SERVER_OPTION_NAMES, RtmpServerOptions } from '../server/rtmp-server.options';
import { PullRule, RelayRule } from './relay-rule.interface';
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
  /**
   * Static relays: accepted streams matching a rule are restreamed to its destinations. Every
   * destination is checked at startup; one that is not a usable RTMP URL stops the bootstrap
   * (`RtmpUrlError`).
   */
  readonly relays?: readonly RelayRule[];
  /**
   * Static pulls: each remote stream is played from its server and published here as
   * `app/name` once the server listens (see `RtmpRelayService.pull`). Every `from` is checked
   * at startup, as relay destinations are.
   */
  readonly pulls?: readonly PullRule[];
  /** Retry timing of relays and pulls (backoff with jitter); see `DEFAULT_RELAY_BACKOFF`. */
  readonly relayBackoff?: Partial<RelayBackoff>;
  /**
   * How long a relay's send queue may stay full before its destination counts as stalled
   * (`RTMP_ERR_RELAY_STALLED`; the relay reconnects). Default 10 s, 0 turns it off; see
   * `StreamRelayOptions.stallTimeoutMs`.
   */
  readonly relayStallTimeoutMs?: number;
  /**
   * Hosts a relay may follow a destination's ReconnectRequest to, besides its own (host names,
   * or a predicate on the host). Default none; never from rtmps:// to rtmp://. See
   * `StreamRelayOptions.reconnectRequestHosts`.
   */
  readonly relayReconnectRequestHosts?: ReconnectRequestHosts;
}

/**
 * Every key RtmpModule's options may have (the server's and the module's own): any other key,
 * from `forRoot` or a `useFactory`, stops the application at startup naming the nearest one.
 */
export const RTMP_MODULE_OPTION_NAMES: ReadonlySet<string> = new Set([
  ...RTMP_SERVER_OPTION_NAMES,
  'verifierInstance',
  'logger',
  'relays',
  'pulls',
  'relayBackoff',
  'relayStallTimeoutMs',
  'relayReconnectRequestHosts',
]);
