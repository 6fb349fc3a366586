import { NetStatusCode } from '../protocol/command/net-status-code';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';

/**
 * A failure the next attempt will meet again, until someone fixes the configuration or the
 * remote server; a relay or pull reports it as `failing` instead of `retrying`:
 *
 * - `unknown-host`: the host name does not resolve (DNS answered ENOTFOUND). A resolver that
 *   could not answer (EAI_AGAIN) is transient.
 * - `tls-rejected`: the server's certificate failed verification (expired, self-signed, issuer
 *   unknown, issued for another name).
 * - `connect-refused`: the server refused the app (`NetConnection.Connect.Rejected` or
 *   `NetConnection.Connect.InvalidApp`).
 * - `publish-refused`: the server refused the stream name or key
 *   (`NetStream.Publish.BadName`, `Denied`, `Rejected`, `Unauthorized`). nginx-rtmp also says
 *   BadName when the name is in use, which lasts until that publisher leaves.
 * - `play-refused`: the server refused to play the stream (`NetStream.Play.Failed`). A stream
 *   that is not live (`NetStream.Play.StreamNotFound`) is transient.
 *
 * @publicApi
 */
export type PermanentFailureReason =
  'unknown-host' | 'tls-rejected' | 'connect-refused' | 'publish-refused' | 'play-refused';

/** Node's codes for a certificate that failed verification (OpenSSL's, and the host name check). */
const TLS_VERIFICATION_CODES: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The server's refusals that name what the client asked for, by the code it refused with. */
const REFUSALS: Readonly<Record<string, PermanentFailureReason>> = {
  [NetStatusCode.ConnectRejected]: 'connect-refused',
  [NetStatusCode.ConnectInvalidApp]: 'connect-refused',
  [NetStatusCode.PublishBadName]: 'publish-refused',
  [NetStatusCode.PublishDenied]: 'publish-refused',
  [NetStatusCode.PublishRejected]: 'publish-refused',
  [NetStatusCode.PublishUnauthorized]: 'publish-refused',
  [NetStatusCode.PlayFailed]: 'play-refused',
};

/**
 * Why `error` (a connection's cause of failure) will happen again on the next attempt, or
 * undefined when it may not (refused or reset connections, timeouts, a server that closed,
 * a stalled destination): the one place that tells "misconfigured" from "down for now".
 */
export function permanentFailureReason(
  error: Error | undefined,
): PermanentFailureReason | undefined {
  if (!(error instanceof RtmpError)) return undefined;
  if (error.code === RtmpErrorCode.ClientConnectFailed) {
    const systemCode = error.context.systemCode;
    if (systemCode === 'ENOTFOUND') return 'unknown-host';
    if (typeof systemCode === 'string' && TLS_VERIFICATION_CODES.has(systemCode)) {
      return 'tls-rejected';
    }
    return undefined;
  }
  if (error.code === RtmpErrorCode.ClientRejected) {
    const serverCode = error.context.serverCode;
    return typeof serverCode === 'string' && Object.hasOwn(REFUSALS, serverCode)
      ? REFUSALS[serverCode]
      : undefined;
  }
  return undefined;
}
