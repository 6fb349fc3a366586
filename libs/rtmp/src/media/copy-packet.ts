import { MediaPacket } from './media-packet';

/**
 * Copies a packet's payload so it can outlive the socket buffer it came in, and re-points the
 * parsed header's body views (multitrack ones included) at the copy.
 */
export function copyPacket<T extends MediaPacket>(packet: T): T {
  const payload = Buffer.from(packet.payload);
  if (packet.type === 'metadata') return { ...packet, payload };
  const rebase = (view: Buffer): Buffer => {
    const offset = view.byteOffset - packet.payload.byteOffset;
    return payload.subarray(offset, offset + view.length);
  };
  const tag = packet.tag as { body?: Buffer; tracks?: readonly { body: Buffer }[] };
  const copied: Record<string, unknown> = { ...packet.tag };
  if (tag.body !== undefined) copied.body = rebase(tag.body);
  if (tag.tracks !== undefined) {
    copied.tracks = tag.tracks.map((track) => ({ ...track, body: rebase(track.body) }));
  }
  return { ...packet, payload, tag: copied };
}
