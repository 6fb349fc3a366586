/** The only RTMP version this library speaks, carried alone in C0 and S0 (SPEC §5.2.2). */
export const RTMP_VERSION = 3;

/** Size of C1, S1, C2 and S2 (SPEC §5.2.3). */
export const HANDSHAKE_PACKET_SIZE = 1536;

/** S0 + S1 + S2, written as one reply as soon as C0 + C1 are in. */
export const SERVER_REPLY_SIZE = 1 + 2 * HANDSHAKE_PACKET_SIZE;

/** C0 + C1, the client's first write. */
export const CLIENT_HELLO_SIZE = 1 + HANDSHAKE_PACKET_SIZE;

/** Length of the HMAC-SHA256 digests and signatures used by the digest handshake. */
export const DIGEST_LENGTH = 32;

/** Bytes of C2/S2 covered by their signature; the signature fills the last 32 bytes. */
export const SIGNED_RESPONSE_LENGTH = HANDSHAKE_PACKET_SIZE - DIGEST_LENGTH;

/**
 * The 32-byte tail both Adobe keys share (notes H4). The text part alone signs C1/S1; text + tail
 * derives the key that signs C2/S2.
 */
const KEY_TAIL = Buffer.from(
  'f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae',
  'hex',
);

/** "Genuine Adobe Flash Player 001": signs C1 (30 bytes). */
export const FP_PARTIAL_KEY = Buffer.from('Genuine Adobe Flash Player 001', 'latin1');
/** FP text + tail (62 bytes): derives the key that signs C2. */
export const FP_FULL_KEY = Buffer.concat([FP_PARTIAL_KEY, KEY_TAIL]);

/** "Genuine Adobe Flash Media Server 001": signs S1 (36 bytes). */
export const FMS_PARTIAL_KEY = Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1');
/** FMS text + tail (68 bytes): derives the key that signs S2. */
export const FMS_FULL_KEY = Buffer.concat([FMS_PARTIAL_KEY, KEY_TAIL]);

/**
 * Version bytes put in S1[4..7] by the digest-mode server. These are nginx-rtmp's; any non-zero
 * value works, because FFmpeg as a player only checks that S1 byte 4 is at least 3 before it
 * validates the digest.
 */
export const SERVER_DIGEST_VERSION: readonly number[] = [0x0d, 0x0e, 0x0a, 0x0d];

/** Version bytes put in C1[4..7] by the digest-mode client (nginx-rtmp's relay uses these). */
export const CLIENT_DIGEST_VERSION: readonly number[] = [0x0c, 0x00, 0x0d, 0x0e];
