import * as fc from 'fast-check';
import {
  computePacketDigest,
  digestOffset,
  findPacketDigest,
  hasZeroVersion,
  isEchoOf,
  responseSignature,
  signPacket,
  signResponse,
  verifyResponse,
} from './handshake-digest';
import {
  FMS_FULL_KEY,
  FMS_PARTIAL_KEY,
  FP_FULL_KEY,
  FP_PARTIAL_KEY,
  HANDSHAKE_PACKET_SIZE,
} from './handshake.constants';
import {
  REFERENCE_KEYS,
  referenceDigest,
  referenceOffset,
  referenceResponseSignature,
  referenceSignedPacket,
} from './testing/digest-reference';
import { seededFill } from './testing/seeded-random';

const packetArbitrary = fc.uint8Array({
  minLength: HANDSHAKE_PACKET_SIZE,
  maxLength: HANDSHAKE_PACKET_SIZE,
});

describe('handshake keys', () => {
  it('are 30/62 bytes for the player and 36/68 bytes for the server (notes H4)', () => {
    expect(FP_PARTIAL_KEY).toHaveLength(30);
    expect(FP_FULL_KEY).toHaveLength(62);
    expect(FMS_PARTIAL_KEY).toHaveLength(36);
    expect(FMS_FULL_KEY).toHaveLength(68);
  });

  it('match the independently written reference keys', () => {
    expect(FP_PARTIAL_KEY.equals(REFERENCE_KEYS.fpPartial)).toBe(true);
    expect(FP_FULL_KEY.equals(REFERENCE_KEYS.fpFull)).toBe(true);
    expect(FMS_PARTIAL_KEY.equals(REFERENCE_KEYS.fmsPartial)).toBe(true);
    expect(FMS_FULL_KEY.equals(REFERENCE_KEYS.fmsFull)).toBe(true);
  });

  it('share the 32-byte tail that starts F0 EE and ends 31 AE', () => {
    expect(FP_FULL_KEY.subarray(30).equals(FMS_FULL_KEY.subarray(36))).toBe(true);
    expect(FP_FULL_KEY.subarray(30, 32).toString('hex')).toBe('f0ee');
    expect(FP_FULL_KEY.subarray(60).toString('hex')).toBe('31ae');
  });
});

describe('digestOffset', () => {
  it('sums bytes 8..11 modulo 728 after 12 for base 8', () => {
    const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    packet.set([0xff, 0xff, 0xff, 0xff], 8); // 1020 % 728 = 292
    expect(digestOffset(packet, 'base8')).toBe(304);
  });

  it('sums bytes 772..775 modulo 728 after 776 for base 772', () => {
    const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    packet.set([1, 2, 3, 4], 772);
    expect(digestOffset(packet, 'base772')).toBe(786);
  });

  it('keeps the digest inside the packet and clear of its own offset bytes', () => {
    fc.assert(
      fc.property(packetArbitrary, (bytes) => {
        const packet = Buffer.from(bytes);
        const base8 = digestOffset(packet, 'base8');
        const base772 = digestOffset(packet, 'base772');
        expect(base8).toBe(referenceOffset(packet, 'base8'));
        expect(base772).toBe(referenceOffset(packet, 'base772'));
        expect(base8).toBeGreaterThanOrEqual(12);
        expect(base8 + 32).toBeLessThanOrEqual(772);
        expect(base772).toBeGreaterThanOrEqual(776);
        expect(base772 + 32).toBeLessThanOrEqual(HANDSHAKE_PACKET_SIZE);
      }),
      { numRuns: 200 },
    );
  });
});

describe('packet digests', () => {
  it('computes the same HMAC as the reference over the 1504 surrounding bytes', () => {
    const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    seededFill(3)(packet);
    expect(
      computePacketDigest(packet, 100, FP_PARTIAL_KEY).equals(
        referenceDigest(packet, 100, REFERENCE_KEYS.fpPartial),
      ),
    ).toBe(true);
  });

  it('finds a base-8 digest made by the reference', () => {
    const packet = referenceSignedPacket({
      scheme: 'base8',
      key: REFERENCE_KEYS.fpPartial,
      version: [9, 0, 124, 2],
    });
    const found = findPacketDigest(packet, FP_PARTIAL_KEY);
    expect(found?.scheme).toBe('base8');
    expect(found?.offset).toBe(referenceOffset(packet, 'base8'));
    expect(found?.digest.equals(packet.subarray(found.offset, found.offset + 32))).toBe(true);
  });

  it('finds a base-772 digest made by the reference', () => {
    const packet = referenceSignedPacket({
      scheme: 'base772',
      key: REFERENCE_KEYS.fmsPartial,
      version: [13, 14, 10, 13],
    });
    expect(findPacketDigest(packet, FMS_PARTIAL_KEY)?.scheme).toBe('base772');
  });

  it('finds nothing under the wrong key', () => {
    const packet = referenceSignedPacket({
      scheme: 'base8',
      key: REFERENCE_KEYS.fpPartial,
      version: [9, 0, 124, 2],
    });
    expect(findPacketDigest(packet, FMS_PARTIAL_KEY)).toBeUndefined();
  });

  it('returns a copy of the digest, not a view of the packet', () => {
    const packet = referenceSignedPacket({
      scheme: 'base8',
      key: REFERENCE_KEYS.fpPartial,
      version: [9, 0, 124, 2],
    });
    const found = findPacketDigest(packet, FP_PARTIAL_KEY);
    const before = Buffer.from(found!.digest);
    packet.fill(0);
    expect(found!.digest.equals(before)).toBe(true);
  });

  it.each(['base8', 'base772'] as const)(
    'signPacket writes a %s digest the reference validates',
    (scheme) => {
      const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
      seededFill(11)(packet);
      const written = signPacket(packet, scheme, FMS_PARTIAL_KEY);
      const offset = referenceOffset(packet, scheme);
      expect(written.offset).toBe(offset);
      expect(
        referenceDigest(packet, offset, REFERENCE_KEYS.fmsPartial).equals(
          packet.subarray(offset, offset + 32),
        ),
      ).toBe(true);
      expect(findPacketDigest(packet, FMS_PARTIAL_KEY)?.scheme).toBe(scheme);
    },
  );

  it('finds no digest in random packets', () => {
    fc.assert(
      fc.property(packetArbitrary, (bytes) => {
        expect(findPacketDigest(Buffer.from(bytes), FP_PARTIAL_KEY)).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });
});

describe('response signatures', () => {
  const peerDigest = Buffer.alloc(32, 0xab);

  it('agree with the reference construction', () => {
    const response = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    seededFill(5)(response);
    expect(
      responseSignature(response, FMS_FULL_KEY, peerDigest).equals(
        referenceResponseSignature(response, REFERENCE_KEYS.fmsFull, peerDigest),
      ),
    ).toBe(true);
  });

  it('verify after signing, and not after a byte changes', () => {
    const response = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    seededFill(6)(response);
    signResponse(response, FP_FULL_KEY, peerDigest);
    expect(verifyResponse(response, FP_FULL_KEY, peerDigest)).toBe(true);
    expect(verifyResponse(response, FMS_FULL_KEY, peerDigest)).toBe(false);
    response[17] ^= 1;
    expect(verifyResponse(response, FP_FULL_KEY, peerDigest)).toBe(false);
  });
});

describe('hasZeroVersion and isEchoOf', () => {
  it('reads bytes 4..7 as the version field', () => {
    const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    expect(hasZeroVersion(packet)).toBe(true);
    packet[7] = 1;
    expect(hasZeroVersion(packet)).toBe(false);
  });

  it('accepts an echo whose time2 (bytes 4..7) differs, and nothing else', () => {
    const original = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    seededFill(9)(original);
    const echo = Buffer.from(original);
    echo.writeUInt32BE(0xdeadbeef, 4);
    expect(isEchoOf(echo, original)).toBe(true);
    echo[3] ^= 1;
    expect(isEchoOf(echo, original)).toBe(false);
    echo[3] ^= 1;
    echo[1535] ^= 1;
    expect(isEchoOf(echo, original)).toBe(false);
  });
});
