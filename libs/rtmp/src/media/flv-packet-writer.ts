import { FlvWriter } from '../protocol/flv/flv.writer';
import { MediaPacket, messageTypeOf } from './media-packet';

/**
 * Writes media packets as FLV tags, timestamps rebased so the file starts at 0: what a
 * recording of a live stream needs, whether it follows a LiveStream (FlvStreamRecorder) or
 * the `packets()` Observable. Bodies are written as they arrived.
 */
export class FlvPacketWriter {
  private firstTimestamp: number | undefined;

  constructor(readonly writer: FlvWriter) {}

  write(packet: MediaPacket): void {
    this.firstTimestamp ??= packet.timestamp;
    const timestamp = (packet.timestamp - this.firstTimestamp) >>> 0;
    // A metadata packet stamped before the first media must not wrap around to ~49 days.
    this.writer.writeTag(
      messageTypeOf(packet),
      timestamp > 0x7fffffff ? 0 : timestamp,
      packet.payload,
    );
  }
}
