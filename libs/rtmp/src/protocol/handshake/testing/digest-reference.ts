import { createHmac } from 'crypto';

/*
 * An independent, deliberately plain rendering of the digest handshake arithmetic (notes H4),
 * written from the notes rather than from handshake-digest.ts, so specs can cross-check one
 * against the other. Offsets here count from the start of C1/S1 (C0/S0 excluded).
 */

const TAIL_HEX = 'f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae';

export const REFERENCE_KEYS = {
  fpPartial: Buffer.from('Genuine Adobe Flash Player 001', 'ascii'),
  fpFull: Buffer.concat([
    Buffer.from('Genuine Adobe Flash Player 001', 'ascii'),
    Buffer.from(TAIL_HEX, 'hex'),
  ]),
  fmsPartial: Buffer.from('Genuine Adobe Flash Media Server 001', 'ascii'),
  fmsFull: Buffer.concat([
    Buffer.from('Genuine Adobe Flash Media Server 001', 'ascii'),
    Buffer.from(TAIL_HEX, 'hex'),
  ]),
};

export function referenceOffset(packet: Buffer, scheme: 'base8' | 'base772'): number {
  if (scheme === 'base8') {
    return ((packet[8] + packet[9] + packet[10] + packet[11]) % 728) + 12;
  }
  return ((packet[772] + packet[773] + packet[774] + packet[775]) % 728) + 776;
}

/** HMAC over the 1504 bytes that surround the 32-byte digest slot. */
export function referenceDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  const message = Buffer.concat([packet.subarray(0, offset), packet.subarray(offset + 32, 1536)]);
  return createHmac('sha256', key).update(message).digest();
}

/** The digest stored in `packet` under `scheme`, if it validates with `key`. */
export function referenceFindDigest(
  packet: Buffer,
  scheme: 'base8' | 'base772',
  key: Buffer,
): Buffer | undefined {
  const offset = referenceOffset(packet, scheme);
  const stored = packet.subarray(offset, offset + 32);
  return referenceDigest(packet, offset, key).equals(stored) ? Buffer.from(stored) : undefined;
}

/** The last 32 bytes a C2/S2 answering `peerDigest` should carry. */
export function referenceResponseSignature(
  response: Buffer,
  fullKey: Buffer,
  peerDigest: Buffer,
): Buffer {
  const key = createHmac('sha256', fullKey).update(peerDigest).digest();
  return createHmac('sha256', key).update(response.subarray(0, 1504)).digest();
}

/**
 * A signed 1536-byte C1/S1: `time`, `version` bytes, pseudo-random filler from `seed`, and the
 * digest under `scheme` signed with `key`.
 */
export function referenceSignedPacket(options: {
  scheme: 'base8' | 'base772';
  key: Buffer;
  version: number[];
  time?: number;
  seed?: number;
}): Buffer {
  const packet = Buffer.alloc(1536);
  packet.writeUInt32BE(options.time ?? 0, 0);
  Buffer.from(options.version).copy(packet, 4);
  let x = options.seed ?? 12345;
  for (let i = 8; i < 1536; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    packet[i] = x >>> 24;
  }
  const offset = referenceOffset(packet, options.scheme);
  referenceDigest(packet, offset, options.key).copy(packet, offset);
  return packet;
}

/** A 1536-byte C2/S2 of pseudo-random bytes signed for `peerDigest`. */
export function referenceSignedResponse(fullKey: Buffer, peerDigest: Buffer, seed = 777): Buffer {
  const response = Buffer.alloc(1536);
  let x = seed;
  for (let i = 0; i < 1504; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    response[i] = x >>> 24;
  }
  referenceResponseSignature(response, fullKey, peerDigest).copy(response, 1504);
  return response;
}
