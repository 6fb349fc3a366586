import { RtmpConnection } from '../connection/rtmp-connection';
import { encodeRtmpSampleAccess } from '../protocol/command/data-message.builder';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { encodeOnStatus } from '../protocol/command/server-command.builder';
import { createStreamCommandMessage } from '../protocol/message/command-message.factory';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { StreamPlayer } from './stream-player';
import { StreamRequest } from './stream-request';

/**
 * The player of an accepted play, writing to `connection` on message stream `streamId`: its
 * media share the chunked bytes of every other player (see StreamPlayer). `publisherLeft`, when
 * players do not wait for a publisher to come back, ends the play.
 */
export function playerOn(
  connection: RtmpConnection,
  streamId: number,
  request: StreamRequest,
  maxQueuedBytes: number,
  publisherLeft: (() => void) | undefined,
): StreamPlayer {
  return new StreamPlayer(
    {
      send: (message) => connection.send(message),
      get queuedBytes() {
        return connection.queuedBytes;
      },
      publisherLeft,
      get chunkSize() {
        return connection.chunkSize;
      },
      sendEncoded: (bytes, message) => connection.sendEncoded(bytes, message),
    },
    streamId,
    request,
    maxQueuedBytes,
  );
}

/**
 * What an accepted player is told before any media (SPEC §7.2.2.1 and SRS): Play.Reset,
 * Play.Start, then |RtmpSampleAccess. StreamBegin and media follow when the stream is (or
 * becomes) live.
 */
export function announcePlay(connection: RtmpConnection, streamId: number): void {
  const status = (code: string, description: string) =>
    createStreamCommandMessage(
      streamId,
      encodeOnStatus({ level: NetStatusLevel.Status, code, description }),
    );
  connection.send(status(NetStatusCode.PlayReset, 'Playing and resetting.'));
  connection.send(status(NetStatusCode.PlayStart, 'Started playing.'));
  connection.send({
    chunkStreamId: ChunkStreamId.Data,
    messageStreamId: streamId,
    typeId: MessageType.DataAmf0,
    timestamp: 0,
    payload: encodeRtmpSampleAccess(true, true),
  });
}
