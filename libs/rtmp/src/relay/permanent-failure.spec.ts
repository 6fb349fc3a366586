import { NetStatusCode } from '../protocol/command/net-status-code';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { permanentFailureReason } from './permanent-failure';
import { RtmpClientError } from '../client/rtmp-client.error';
import { StreamRelayError } from './stream-relay.error';

/** A connection that failed before it was up, as RtmpClientConnection reports a socket error. */
function connectFailed(systemCode: string | undefined): RtmpClientError {
  return new RtmpClientError(
    RtmpErrorCode.ClientConnectFailed,
    `connection to rtmp://host:1935/live/***(3) failed: ${systemCode}`,
    undefined,
    undefined,
    { systemCode },
  );
}

/** The server refused a step with `serverCode`, as failRefused reports it. */
function refused(serverCode: string | undefined): RtmpClientError {
  return new RtmpClientError(
    RtmpErrorCode.ClientRejected,
    `rtmp://host:1935/live/***(3) refused: ${serverCode}`,
    serverCode,
    'why',
  );
}

describe('permanentFailureReason', () => {
  it('an unknown host name (ENOTFOUND) is permanent; a resolver that could not answer is not', () => {
    expect(permanentFailureReason(connectFailed('ENOTFOUND'))).toBe('unknown-host');
    expect(permanentFailureReason(connectFailed('EAI_AGAIN'))).toBeUndefined();
  });

  it.each([
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('a certificate that fails verification (%s) is permanent', (systemCode) => {
    expect(permanentFailureReason(connectFailed(systemCode))).toBe('tls-rejected');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', undefined])(
    'a remote that is down or unreachable (%s) is transient',
    (systemCode) => {
      expect(permanentFailureReason(connectFailed(systemCode))).toBeUndefined();
    },
  );

  it.each([
    [NetStatusCode.ConnectRejected, 'connect-refused'],
    [NetStatusCode.ConnectInvalidApp, 'connect-refused'],
    [NetStatusCode.PublishBadName, 'publish-refused'],
    [NetStatusCode.PublishDenied, 'publish-refused'],
    [NetStatusCode.PublishRejected, 'publish-refused'],
    [NetStatusCode.PublishUnauthorized, 'publish-refused'],
    [NetStatusCode.PlayFailed, 'play-refused'],
  ])('a refusal with %s is permanent (%s)', (serverCode, reason) => {
    expect(permanentFailureReason(refused(serverCode))).toBe(reason);
  });

  it('other refusals are transient: a stream not live yet, an unknown code, no code at all', () => {
    expect(permanentFailureReason(refused(NetStatusCode.PlayStreamNotFound))).toBeUndefined();
    expect(permanentFailureReason(refused(NetStatusCode.StreamFailed))).toBeUndefined();
    expect(permanentFailureReason(refused('NetStream.Publish.Whatever'))).toBeUndefined();
    expect(permanentFailureReason(refused(undefined))).toBeUndefined();
    // An inherited property name is not a code it knows.
    expect(permanentFailureReason(refused('constructor'))).toBeUndefined();
  });

  it('a system code only counts on a connection that was never up', () => {
    const lost = new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost', undefined, undefined, {
      systemCode: 'ENOTFOUND',
    });
    expect(permanentFailureReason(lost)).toBeUndefined();
  });

  it('timeouts, closes, stalls, plain errors and no error at all are transient', () => {
    expect(
      permanentFailureReason(new RtmpClientError(RtmpErrorCode.ClientTimeout, 'timeout')),
    ).toBeUndefined();
    expect(
      permanentFailureReason(new RtmpClientError(RtmpErrorCode.ClientClosed, 'closed')),
    ).toBeUndefined();
    expect(
      permanentFailureReason(new StreamRelayError(RtmpErrorCode.RelayStalled, 'stalled')),
    ).toBeUndefined();
    expect(
      permanentFailureReason(new RtmpError(RtmpErrorCode.ClientRejected, 'no context', true)),
    ).toBeUndefined();
    expect(permanentFailureReason(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(
      undefined,
    );
    expect(permanentFailureReason(undefined)).toBeUndefined();
  });
});
