import { RtmpConnection } from '../connection/rtmp-connection';
import { encodeRtmpSampleAccess } from '../protocol/command/data-message.builder';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { encodeOnStatus } from '../protocol/command/server-command.builder';
import { createStreamCommandMessage } from '../protocol/message/command-message.factory';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { PlayerWrites } from './merged-writes';
import { SessionHost } from './session-host';
import { endPlayer } from './session-replies';
import { PlayEnd, StreamPlayer } from './stream-player';
import { StreamRequest } from './stream-request';

/**
 * An accepted play on a connection, from Play.Start until it stops: its player, whose media
 * share the chunked bytes of every other player (see StreamPlayer), on message stream
 * `streamId`. `publisherLeft`, when players do not wait for a publisher to come back, ends the
 * play.
 */
export class PlayedStream {
  readonly player: StreamPlayer;
  /** Its media waiting to be written with the next (playerWriteMergeMs); else undefined. */
  private readonly merged: PlayerWrites | undefined;

  constructor(
    private readonly connection: RtmpConnection,
    readonly streamId: number,
    request: StreamRequest,
    private readonly host: SessionHost,
    publisherLeft: (() => void) | undefined,
  ) {
    const merged = host.mergedWrites?.queueFor(connection);
    this.merged = merged;
    this.player = new StreamPlayer(
      {
        // What is not shared media (statuses, StreamEOF, what a joining player is sent first)
        // goes after the media waiting before it.
        send: (message) => {
          merged?.flush();
          connection.send(message);
        },
        get queuedBytes() {
          return connection.queuedBytes + (merged?.byteLength ?? 0);
        },
        publisherLeft,
        get chunkSize() {
          return connection.chunkSize;
        },
        sendEncoded:
          merged === undefined
            ? (bytes, message) => connection.sendEncoded(bytes, message)
            : (bytes, message) => {
                connection.recordEncoded(message);
                merged.add(bytes);
              },
      },
      streamId,
      request,
      host.options.maxQueuedBytesPerConsumer,
    );
  }

  /**
   * What the player is told before any media (SPEC §7.2.2.1 and SRS): Play.Reset, Play.Start,
   * then |RtmpSampleAccess. StreamBegin and media follow when the stream is (or becomes) live.
   */
  announce(): void {
    const { connection, streamId } = this;
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

  /** From here on media: the kernel may coalesce it unless playersNoDelay (the default). */
  startMedia(attach: (player: StreamPlayer) => void): void {
    if (!this.host.options.playersNoDelay) this.connection.setNoDelay(false);
    attach(this.player);
  }

  /** Stops the player and takes it off its stream; replies then go out at once again. */
  stop(end: PlayEnd): void {
    this.player.detach();
    this.merged?.discard();
    this.host.removePlayer(this.player, end);
    this.connection.setNoDelay(true);
  }

  /** Tells the player the server ends the play (see endPlayer). */
  endedByServer(): void {
    this.merged?.flush();
    endPlayer(this.connection, this.streamId);
  }
}
