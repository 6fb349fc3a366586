import { encodeOnStatus } from '../protocol/command/server-command.builder';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { createStreamCommandMessage } from '../protocol/message/command-message.factory';
import { createUserControlMessage } from '../protocol/message/control-message.factory';
import { ChunkStreamId } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import { LiveStream } from './live-stream';
import { KeyframeGate } from '../media/keyframe-gate';
import { isConfigurationPacket, MediaPacket, messageTypeOf } from '../media/media-packet';
import { StreamRequest } from './stream-request';

/** Where a player's messages go: the session's chunk writer and socket. */
export interface PlayerOutput {
  send(message: RtmpMessage): void;
  /** Bytes written but not yet sent to the player. */
  readonly queuedBytes: number;
  /** Called after StreamEOF and Play.UnpublishNotify went out for a publisher that left. */
  readonly publisherLeft?: () => void;
  /**
   * For outputs that can take a message already chunked (see `sharedEncoding`): the outgoing
   * chunk size, and the method that writes the bytes and records the message as sent.
   */
  readonly chunkSize?: number;
  sendEncoded?(bytes: Buffer, message: RtmpMessage): void;
}

/** One packet as a message and its chunks, shared by the players of one delivery. */
interface SharedEncoding {
  readonly message: RtmpMessage;
  readonly bytes: Buffer;
}

/** Why a play ended. Only `error` means something went wrong. */
export type PlayEndReason =
  /** The player said so: closeStream or deleteStream. */
  | 'stopped'
  /** The publisher left and players do not wait for another (`playersWaitForPublisher`). */
  | 'stream-ended'
  /** The connection closed (the player quit, or the network dropped). */
  | 'disconnected'
  /** The server is shutting down. */
  | 'server-closed'
  /** A protocol error or a limit ended the connection. */
  | 'error';

export interface PlayEnd {
  readonly reason: PlayEndReason;
  /** The error, when `reason` is `error`. */
  readonly error?: Error;
}

/** Running totals of one player. */
export interface PlayerStats {
  /** Media messages sent. */
  sent: number;
  /** Media messages skipped: before the player's first keyframe, or because it fell behind. */
  dropped: number;
}

/**
 * Plays one stream to one player. Attached to a live stream, it sends StreamBegin, the cached
 * metadata and sequence headers, the current GOP, then live media; detached when the
 * publisher leaves (StreamEOF, Play.UnpublishNotify) and attached again when one comes back
 * (Play.PublishNotify first). Payloads are the publisher's buffers, shared by every player;
 * only chunk headers are written per player.
 *
 * A player whose socket has more than `maxQueuedBytes` waiting is behind: it skips media until
 * the next keyframe, and neither the publisher nor the other players wait for it.
 */
export class StreamPlayer {
  readonly stats: PlayerStats = { sent: 0, dropped: 0 };
  /** `app/name` of the stream played. */
  readonly key: string;
  readonly startedAt = new Date();
  private detachFromStream: (() => void) | undefined;
  /** The stream attached last: it says which keyframes a player may start at. */
  private stream: LiveStream | undefined;
  /** Where media may resume after a gap (see KeyframeGate); a new one per attach. */
  private gate = new KeyframeGate({ startInGap: true });
  private hasPlayedBefore = false;
  /** What this player's chunked messages are shared under (see `sharedEncoding`). */
  private encodingKey = '';
  private encodingChunkSize = -1;
  /** While the cached GOP is written at attach (see `write`). */
  private replaying = false;

  constructor(
    private readonly output: PlayerOutput,
    readonly streamId: number,
    /** The accepted play request (`action: 'play'`). */
    readonly request: StreamRequest,
    private readonly maxQueuedBytes: number,
  ) {
    this.key = `${request.app}/${request.streamName}`;
  }

  get attached(): boolean {
    return this.detachFromStream !== undefined;
  }

  /** Bytes written to the player's socket and not yet sent (what the drop policy watches). */
  get queuedBytes(): number {
    return this.output.queuedBytes;
  }

  /** Starts playing `stream` (a publisher arrived, or was live when the player came). */
  attach(stream: LiveStream): void {
    this.detach();
    if (this.hasPlayedBefore) {
      this.status(NetStatusCode.PlayPublishNotify, 'Publisher is back.');
    }
    this.hasPlayedBefore = true;
    this.stream = stream;
    this.output.send(createUserControlMessage({ kind: 'streamBegin', streamId: this.streamId }));
    const { metadata } = stream;
    // Every track's header (E-RTMP multitrack streams have one per track) and E-RTMP
    // colorInfo / MultichannelConfig, video first.
    const headers = stream.decoderConfiguration;
    const gop = stream.gopCache;
    // A cached GOP starts where a decoder can (a keyframe, or the stream's first frames), as
    // does a stream with no frame yet: from there nothing needs skipping. Otherwise wait.
    this.gate = new KeyframeGate({
      startInGap: gop.length === 0 && stream.mediaStarted,
      isGopStart: (packet) => stream.isGopStart(packet),
    });
    if (headers.some((packet) => packet.type === 'video')) this.gate.expectVideo();
    // What a joining player is sent first goes to it alone: written as views of the cached
    // payloads, not chunked into copies that nobody else would share.
    this.replaying = true;
    try {
      if (metadata !== undefined) this.write(metadata);
      for (const packet of headers) this.write(packet);
      for (const packet of gop) this.deliver(packet);
    } finally {
      this.replaying = false;
    }
    const stopPackets = stream.onPacket((packet) => this.deliver(packet));
    const stopEnd = stream.onEnd(() => this.onPublisherLeft());
    const uncount = stream.countPlayer();
    this.detachFromStream = () => {
      stopPackets();
      stopEnd();
      uncount();
    };
  }

  /** Stops following the stream (the player left, or the publisher did). */
  detach(): void {
    this.detachFromStream?.();
    this.detachFromStream = undefined;
  }

  private onPublisherLeft(): void {
    this.detach();
    this.output.send(createUserControlMessage({ kind: 'streamEof', streamId: this.streamId }));
    this.status(NetStatusCode.PlayUnpublishNotify, 'Publisher left.');
    this.output.publisherLeft?.();
  }

  private deliver(packet: MediaPacket): void {
    if (isConfigurationPacket(packet)) {
      this.gate.admits(packet); // tells the gate about video
      this.write(packet);
      return;
    }
    // Behind: skip, and resume where the gate says. Configuration (above) still goes out.
    const behind = this.output.queuedBytes > this.maxQueuedBytes;
    if (behind) this.gate.gap();
    if (behind || !this.gate.admits(packet)) {
      this.stats.dropped += 1;
      return;
    }
    this.write(packet);
    this.stats.sent += 1;
  }

  private write(packet: MediaPacket): void {
    const { output } = this;
    const stream = this.stream;
    if (
      !this.replaying &&
      stream !== undefined &&
      output.sendEncoded !== undefined &&
      output.chunkSize !== undefined
    ) {
      const shared = this.sharedEncoding(stream, packet, output.chunkSize);
      output.sendEncoded(shared.bytes, shared.message);
    } else {
      output.send(this.messageOf(packet));
    }
  }

  private messageOf(packet: MediaPacket): RtmpMessage {
    const chunkStreamId =
      packet.type === 'audio'
        ? ChunkStreamId.Audio
        : packet.type === 'video'
          ? ChunkStreamId.Video
          : ChunkStreamId.Data;
    return {
      chunkStreamId,
      messageStreamId: this.streamId,
      typeId: messageTypeOf(packet),
      timestamp: packet.timestamp,
      payload: packet.payload,
    };
  }

  /**
   * `packet` as a message chunked at `chunkSize`, shared by every player of `stream` with the
   * same chunk size and stream id: all of them get each packet in a row, within one delivery,
   * so the first one makes the message and chunks it (copying its payload once) and the others
   * only write it. This is the fan-out path: per player, no allocation.
   */
  private sharedEncoding(
    stream: LiveStream,
    packet: MediaPacket,
    chunkSize: number,
  ): SharedEncoding {
    // The key is made when the chunk size changes, not per message.
    if (chunkSize !== this.encodingChunkSize) {
      this.encodingChunkSize = chunkSize;
      this.encodingKey = `chunks:${chunkSize}:${this.streamId}`;
    }
    const shared = stream.sharedForDelivery<SharedEncoding>(this.encodingKey);
    if (shared !== undefined) return shared;
    const message = this.messageOf(packet);
    const encoding = { message, bytes: ChunkWriter.encodeWithFullHeader(message, chunkSize) };
    stream.shareForDelivery(this.encodingKey, encoding);
    return encoding;
  }

  private status(code: string, description: string): void {
    this.output.send(
      createStreamCommandMessage(
        this.streamId,
        encodeOnStatus({ level: NetStatusLevel.Status, code, description }),
      ),
    );
  }
}
