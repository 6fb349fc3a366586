/**
 * `simple`: the SPEC §5.2 exchange, where each side echoes the other's random bytes.
 * `digest`: the Flash "complex" handshake, where C1/S1 carry HMAC digests and C2/S2 signatures.
 */
export type HandshakeMode = 'simple' | 'digest';

/**
 * Where a C1/S1 digest sits (notes H4). `base772`: offset from bytes 772..775, after 776 (librtmp
 * `GetDigestOffset2`, SRS schema0). `base8`: offset from bytes 8..11, after 12 (FFmpeg's client,
 * librtmp `GetDigestOffset1`, SRS schema1).
 */
export type DigestScheme = 'base772' | 'base8';

/** Fills a buffer with random bytes; injected by tests to make packets deterministic. */
export type RandomFill = (target: Buffer) => void;

/** What one `push()` into a handshake produced. */
export interface HandshakeProgress {
  /** Bytes to write to the peer now, or undefined when this push produced nothing to send. */
  readonly output: Buffer | undefined;
  /** True once the last handshake byte has been consumed (by this push). */
  readonly complete: boolean;
  /**
   * The bytes that followed the handshake in the pushed buffer: the first chunk-stream bytes,
   * as a view of the input (no copy). Empty unless `complete`.
   */
  readonly rest: Buffer;
}
