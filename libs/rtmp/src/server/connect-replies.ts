import { RtmpConnection } from '../connection/rtmp-connection';
import { encodeConnectResult } from '../protocol/command/server-command.builder';
import { createConnectionCommandMessage } from '../protocol/message/command-message.factory';
import {
  createSetPeerBandwidthMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
} from '../protocol/message/control-message.factory';
import { PeerBandwidthLimit } from '../protocol/message/peer-bandwidth-limit';
import { RtmpServerOptions } from './rtmp-server.options';

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
