import {
  mediaPacketOf,
  MetadataPacket,
  metadataPacketOf,
  MediaPacket,
} from '../media/media-packet';
import { describeError } from '../common/describe-error';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { LiveStream } from './live-stream';
import { SessionHost } from './session-host';

/**
 * What a session publishes once admitted: its live stream, fed from the connection's media and
 * data messages, and when media last came (for the idle timeout and the stale-publisher rule).
 * A message whose header cannot be read is dropped and counted: its boundary is intact, so the
 * stream goes on.
 */
export class PublishedStream {
  private lastMedia: number;

  constructor(
    readonly stream: LiveStream,
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
}
