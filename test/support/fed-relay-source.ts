import { parseVideoTag } from '../../libs/rtmp/src/protocol/flv';
import { MediaPacket, RelaySource, StreamEnd, VideoPacket } from '../../libs/rtmp/src';

/** The AVC sequence header of a 320x240 baseline stream, enough for any relay destination. */
const AVC_SEQUENCE_HEADER = Buffer.from([
  0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1e, 0x01,
  0x00, 0x04, 0x68, 0xce, 0x3c, 0x80,
]);

function videoPacket(timestamp: number, payload: Buffer): VideoPacket {
  return { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

/**
 * A live stream the test feeds by hand, for relays driven without an ingest: it has an AVC
 * sequence header, and `keyFrame()` sends one keyframe of the given size (every frame is one,
 * so a relay may start, or follow a ReconnectRequest, at any of them).
 */
export class FedRelaySource implements RelaySource {
  readonly metadata = undefined;
  readonly sequenceHeaders = { video: videoPacket(0, AVC_SEQUENCE_HEADER) };
  private readonly packetListeners = new Set<(packet: MediaPacket) => void>();
  private readonly endListeners = new Set<(end: StreamEnd) => void>();
  private timestamp = 0;

  onPacket(listener: (packet: MediaPacket) => void): () => void {
    this.packetListeners.add(listener);
    return () => this.packetListeners.delete(listener);
  }

  onEnd(listener: (end: StreamEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** One keyframe of `bytes` bytes (FLV video tag body), 40 ms after the previous one. */
  keyFrame(bytes = 64): void {
    const payload = Buffer.alloc(Math.max(bytes, 6));
    payload.set([0x17, 0x01, 0, 0, 0]);
    const packet = videoPacket(this.timestamp, payload);
    this.timestamp += 40;
    for (const listener of [...this.packetListeners]) listener(packet);
  }

  /** Feeds a keyframe every `intervalMs` until the returned function is called. */
  feed(bytes: number, intervalMs: number): () => void {
    const timer = setInterval(() => this.keyFrame(bytes), intervalMs);
    return () => clearInterval(timer);
  }
}
