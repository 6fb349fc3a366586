import { createHmac, timingSafeEqual } from 'crypto';
import {
  DIGEST_LENGTH,
  HANDSHAKE_PACKET_SIZE,
  SIGNED_RESPONSE_LENGTH,
} from './handshake.constants';
import { DigestScheme } from './handshake.types';

/** nginx, FFmpeg and NMS try base 772 first (notes H4); a validating digest decides, not order. */
export const DIGEST_SCHEME_PROBE_ORDER: readonly DigestScheme[] = ['base772', 'base8'];

/** A digest found in (or written into) a C1/S1 packet. */
export interface PacketDigest {
  readonly scheme: DigestScheme;
  /** Where the 32 digest bytes start in the 1536-byte packet. */
  readonly offset: number;
  /** A copy of the digest bytes, safe to keep after the packet buffer is reused. */
  readonly digest: Buffer;
}

/**
 * Where the digest of a 1536-byte C1/S1 sits under `scheme`: four bytes of the packet, summed,
 * modulo 728, after a fixed base. The range keeps the digest clear of the bytes it was derived
 * from, so it can be written without moving its own offset.
 */
export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const [at, base] = scheme === 'base8' ? [8, 12] : [772, 776];
  const sum = packet[at] + packet[at + 1] + packet[at + 2] + packet[at + 3];
  return (sum % 728) + base;
}

/** HMAC-SHA256 under `key` of the 1536-byte packet with the 32 bytes at `offset` left out. */
export function computePacketDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(packet.subarray(0, offset))
    .update(packet.subarray(offset + DIGEST_LENGTH, HANDSHAKE_PACKET_SIZE))
    .digest();
}

/**
 * Looks for a digest signed with `key` under either scheme, base 772 first. Undefined when none
 * validates: the caller falls back to the simple handshake rather than rejecting.
 */
export function findPacketDigest(packet: Buffer, key: Buffer): PacketDigest | undefined {
  for (const scheme of DIGEST_SCHEME_PROBE_ORDER) {
    const offset = digestOffset(packet, scheme);
    const expected = computePacketDigest(packet, offset, key);
    const found = packet.subarray(offset, offset + DIGEST_LENGTH);
    if (timingSafeEqual(expected, found)) {
      return { scheme, offset, digest: expected };
    }
  }
  return undefined;
}

/** Writes the digest of a filled 1536-byte C1/S1 into it, in place, and returns it. */
export function signPacket(packet: Buffer, scheme: DigestScheme, key: Buffer): PacketDigest {
  const offset = digestOffset(packet, scheme);
  const digest = computePacketDigest(packet, offset, key);
  digest.copy(packet, offset);
  return { scheme, offset, digest };
}

/**
 * The signature that ends a C2/S2: HMAC-SHA256 of its first 1504 bytes, keyed with
 * HMAC-SHA256(fullKey, the peer's C1/S1 digest). Tying it to the peer's digest is what proves
 * the responder saw that packet.
 */
export function responseSignature(response: Buffer, fullKey: Buffer, peerDigest: Buffer): Buffer {
  const key = createHmac('sha256', fullKey).update(peerDigest).digest();
  return createHmac('sha256', key).update(response.subarray(0, SIGNED_RESPONSE_LENGTH)).digest();
}

/** Writes the signature into the last 32 bytes of a 1536-byte C2/S2 whose first 1504 are filled. */
export function signResponse(response: Buffer, fullKey: Buffer, peerDigest: Buffer): void {
  responseSignature(response, fullKey, peerDigest).copy(response, SIGNED_RESPONSE_LENGTH);
}

/** True when the last 32 bytes of a 1536-byte C2/S2 are the signature `signResponse` writes. */
export function verifyResponse(response: Buffer, fullKey: Buffer, peerDigest: Buffer): boolean {
  const expected = responseSignature(response, fullKey, peerDigest);
  return timingSafeEqual(
    expected,
    response.subarray(SIGNED_RESPONSE_LENGTH, HANDSHAKE_PACKET_SIZE),
  );
}

/** True when bytes 4..7 (the version field of C1/S1) are all zero: the peer asks for simple mode. */
export function hasZeroVersion(packet: Buffer): boolean {
  return packet.readUInt32BE(4) === 0;
}

/**
 * Compares an echo (C2/S2) with the packet it answers, skipping bytes 4..7: SPEC §5.2.4 lets the
 * echo carry "time2" (when the packet was read) there, so only time and random bytes must match.
 */
export function isEchoOf(echo: Buffer, original: Buffer): boolean {
  return (
    echo.compare(original, 0, 4, 0, 4) === 0 &&
    echo.compare(original, 8, HANDSHAKE_PACKET_SIZE, 8, HANDSHAKE_PACKET_SIZE) === 0
  );
}
