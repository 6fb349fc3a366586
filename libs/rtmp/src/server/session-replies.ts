import { RtmpConnection } from '../connection/rtmp-connection';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import {
  encodeConnectError,
  encodeConnectResult,
  encodeOnStatus,
} from '../protocol/command/server-command.builder';
import {
  createConnectionCommandMessage,
  createStreamCommandMessage,
} from '../protocol/message/command-message.factory';
import {
  createSetPeerBandwidthMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
} from '../protocol/message/control-message.factory';
import { PeerBandwidthLimit } from '../protocol/message/peer-bandwidth-limit';
import { StreamEnd } from '../media/stream-end';
import { Refusal } from './admission';
import { RtmpServerOptions } from './rtmp-server.options';
import { StreamRequest } from './stream-request';

/**
 * What the server answers an accepted connect, as nginx-rtmp and SRS do: WindowAckSize,
 * SetPeerBandwidth (dynamic), StreamBegin(0), SetChunkSize, then `_result`
 * (`NetConnection.Connect.Success`, `objectEncoding` echoed). One write: one writev and its
 * bookkeeping, not five.
 */
export function acceptConnect(
  connection: RtmpConnection,
  options: RtmpServerOptions,
  transactionId: number,
  objectEncoding: number,
): void {
  connection.corked(() => {
    connection.send(createWindowAcknowledgementSizeMessage(options.windowAckSize));
    connection.send(
      createSetPeerBandwidthMessage({
        windowSize: options.windowAckSize,
        limitType: PeerBandwidthLimit.Dynamic,
      }),
    );
    connection.send(createUserControlMessage({ kind: 'streamBegin', streamId: 0 }));
    connection.setChunkSize(options.outChunkSize);
    connection.send(
      createConnectionCommandMessage(encodeConnectResult({ transactionId, objectEncoding })),
    );
  });
}

/** A connect to an app the server does not serve: `_error` with InvalidApp (FFmpeg prints it). */
export function refuseConnect(
  connection: RtmpConnection,
  transactionId: number,
  app: string,
): void {
  connection.send(
    createConnectionCommandMessage(
      encodeConnectError({
        transactionId,
        code: NetStatusCode.ConnectInvalidApp,
        description: `Application "${app}" is not served here.`,
      }),
    ),
  );
}

/** An `onStatus` on message stream `streamId`. */
export function sendStatus(
  connection: RtmpConnection,
  streamId: number,
  level: string,
  code: string,
  description: string,
): void {
  connection.send(
    createStreamCommandMessage(streamId, encodeOnStatus({ level, code, description })),
  );
}

/** What an accepted publisher is told: StreamBegin, then Publish.Start. */
export function acceptPublish(connection: RtmpConnection, streamId: number): void {
  connection.send(createUserControlMessage({ kind: 'streamBegin', streamId }));
  sendStatus(
    connection,
    streamId,
    NetStatusLevel.Status,
    NetStatusCode.PublishStart,
    'Publishing started.',
  );
}

/**
 * What a refused publish or play is told: an error status with the verifier's reason (its own
 * words: the client asked with that key). A publish's code is the verdict's (`BadName` unless it
 * says otherwise), which encoders print.
 */
export function refuseStream(
  connection: RtmpConnection,
  streamId: number,
  action: StreamRequest['action'],
  refusal: Refusal,
): void {
  const code =
    action === 'publish'
      ? `NetStream.Publish.${refusal.code ?? 'BadName'}`
      : NetStatusCode.PlayFailed;
  sendStatus(connection, streamId, NetStatusLevel.Error, code, refusal.reason);
}

/**
 * What a publisher the server ends is told: StreamEOF, then why. Kicked by the application: an
 * error status (`NetStream.Publish.Denied` with the application's words), which encoders report
 * (FFmpeg prints "Server error: <description>") instead of taking the close for a network
 * failure and reconnecting at once. Replaced, or the server shutting down: Unpublish.Success.
 */
export function endPublisher(
  connection: RtmpConnection,
  streamId: number,
  end: StreamEnd & { reason: 'replaced' | 'server-closed' | 'kicked' },
): void {
  connection.send(createUserControlMessage({ kind: 'streamEof', streamId }));
  if (end.reason === 'kicked') {
    sendStatus(
      connection,
      streamId,
      NetStatusLevel.Error,
      NetStatusCode.PublishDenied,
      end.message ?? '',
    );
    return;
  }
  const description =
    end.reason === 'replaced' ? 'Replaced by a new publisher.' : 'Server shutting down.';
  sendStatus(
    connection,
    streamId,
    NetStatusLevel.Status,
    NetStatusCode.UnpublishSuccess,
    description,
  );
}

/** What a player is told when the server shuts down: StreamEOF, Play.Stop. */
export function endPlayer(connection: RtmpConnection, streamId: number): void {
  connection.send(createUserControlMessage({ kind: 'streamEof', streamId }));
  sendStatus(
    connection,
    streamId,
    NetStatusLevel.Status,
    NetStatusCode.PlayStop,
    'Server shutting down.',
  );
}
