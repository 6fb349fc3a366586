import { describeError } from '../common/describe-error';
import { RtmpConnection } from '../connection/rtmp-connection';
import {
  mediaPacketOf,
  MetadataPacket,
  metadataPacketOf,
  MediaPacket,
} from '../media/media-packet';
import { StreamEnd } from '../media/stream-end';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { LiveStream } from './live-stream';
import { SessionHost } from './session-host';
import { acceptPublish, endPublisher, sendStatus } from './session-replies';
import { SessionError } from './session.error';

/**
 * An accepted publish on a connection, from Publish.Start until it ends: its live stream fed
 * from the connection's media and data messages, when media last came (for the idle timeout
 * and the stale-publisher rule), and what the publisher is told along the way. A message whose
 * header cannot be read is dropped and counted: its boundary is intact, so the stream goes on.
 */
export class PublishedStream {
  private lastMedia: number;

  constructor(
    readonly stream: LiveStream,
    /** The message stream the publish came on. */
    private readonly streamId: number,
    private readonly connection: RtmpConnection,
    private readonly host: SessionHost,
    /** How logs name the session (`session#1 127.0.0.1:5000`). */
    private readonly label: string,
  ) {
    this.lastMedia = host.now();
  }

  /** Monotonic time of the last media message. */
  get lastMediaAt(): number {
    return this.lastMedia;
  }

  /** Tells the publisher to go ahead (StreamBegin, Publish.Start). */
  start(): void {
    acceptPublish(this.connection, this.streamId);
  }

  /** Audio or video. */
  media(message: RtmpMessage): void {
    const { stream } = this;
    this.lastMedia = this.host.now();
    let packet: MediaPacket;
    try {
      packet = mediaPacketOf(message);
    } catch (error) {
      if (stream.stats.malformedPackets === 0) {
        this.host.logger.warn(`${this.label} dropping malformed media: ${describeError(error)}`);
      }
      stream.stats.malformedPackets += 1;
      return;
    }
    stream.deliver(packet);
  }

  /** Data (metadata). */
  data(message: RtmpMessage): void {
    let packet: MetadataPacket;
    try {
      packet = metadataPacketOf(message, {
        maxDepth: this.host.options.maxAmfDepth,
        maxEntries: this.host.options.maxAmfEntries,
      });
    } catch (error) {
      this.host.logger.warn(
        `${this.label} dropping malformed data message: ${describeError(error)}`,
      );
      return;
    }
    this.stream.deliver(packet);
  }

  /** The publisher's error once it has sent no media for longer than `idleMediaTimeoutMs`. */
  idleError(now: number): SessionError | undefined {
    const silent = now - this.lastMedia;
    const timeout = this.host.options.idleMediaTimeoutMs;
    if (silent <= timeout) return undefined;
    return new SessionError(
      RtmpErrorCode.SessionIdleTimeout,
      `no media for ${silent} ms (idleMediaTimeoutMs ${timeout})`,
      { silentMs: silent },
    );
  }

  /** The publisher stopped (FCUnpublish, closeStream, deleteStream): Unpublish.Success. */
  unpublished(): void {
    sendStatus(
      this.connection,
      this.streamId,
      NetStatusLevel.Status,
      NetStatusCode.UnpublishSuccess,
      'Stream unpublished.',
    );
  }

  /** Tells the publisher the server ends its publish (see endPublisher). */
  endedByServer(end: StreamEnd & { reason: 'replaced' | 'server-closed' | 'kicked' }): void {
    endPublisher(this.connection, this.streamId, end);
  }

  /** Ends the live stream (its consumers are told why) and logs it. */
  end(end: StreamEnd): void {
    const { stream } = this;
    stream.end(end);
    this.host.logger.log(`${this.label} ${stream.label} ended: ${end.reason}`);
  }
}
