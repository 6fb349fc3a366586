import { AudioPacket, MediaPacket, MetadataPacket, VideoPacket } from '../../media/media-packet';
import { StreamEnd } from '../../media/stream-end';
import { RelaySource } from '../relay-source';

/** A live stream the test feeds packet by packet. */
export class FakeSource implements RelaySource {
  metadata: MetadataPacket | undefined;
  sequenceHeaders: { audio?: AudioPacket; video?: VideoPacket } = {};
  decoderConfiguration: MediaPacket[] | undefined;
  mediaStarted: boolean | undefined;
  private packetListeners = new Set<(packet: MediaPacket) => void>();
  private endListeners = new Set<(end: StreamEnd) => void>();

  get listeners(): number {
    return this.packetListeners.size + this.endListeners.size;
  }

  onPacket(listener: (packet: MediaPacket) => void): () => void {
    this.packetListeners.add(listener);
    return () => this.packetListeners.delete(listener);
  }

  onEnd(listener: (end: StreamEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  emit(...packets: MediaPacket[]): void {
    for (const packet of packets)
      for (const listener of [...this.packetListeners]) listener(packet);
  }

  end(): void {
    for (const listener of [...this.endListeners]) listener({ reason: 'unpublished' });
  }
}
