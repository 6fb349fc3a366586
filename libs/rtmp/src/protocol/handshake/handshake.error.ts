import { RtmpError, RtmpErrorContext } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/**
 * The handshake cannot go on: a wrong version byte, a call in the wrong state, or (only when
 * strict verification was asked for) a server signature that does not check out. Always fatal,
 * since the byte stream cannot be framed as chunks without a finished handshake.
 */
export class HandshakeError extends RtmpError {
  constructor(code: RtmpErrorCode, message: string, context: RtmpErrorContext = {}) {
    super(code, message, true, context);
  }

  /** C0 or S0 is not 3: an RTMPE/RTMPT peer, a TLS ClientHello or HTTP sent to the RTMP port. */
  static version(packet: 'C0' | 'S0', received: number): HandshakeError {
    return new HandshakeError(
      RtmpErrorCode.HandshakeVersion,
      `RTMP handshake: ${packet} carries version ${received}, only 3 is supported`,
      { packet, received },
    );
  }

  /** A method was called out of order (pushing after completion or failure, starting twice...). */
  static state(operation: string, state: string): HandshakeError {
    return new HandshakeError(
      RtmpErrorCode.HandshakeState,
      `RTMP handshake: cannot ${operation} in state "${state}"`,
      { operation, state },
    );
  }

  /** Strict mode only: S2 proves nothing about our C1 (no echo, or a wrong signature). */
  static verification(mode: string): HandshakeError {
    return new HandshakeError(
      RtmpErrorCode.HandshakeVerification,
      `RTMP handshake: S2 does not answer our C1 (${mode} mode)`,
      { packet: 'S2', mode },
    );
  }
}
