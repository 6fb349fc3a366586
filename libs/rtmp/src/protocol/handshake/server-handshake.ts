import { randomFillSync } from 'crypto';
import {
  FMS_FULL_KEY,
  FMS_PARTIAL_KEY,
  FP_PARTIAL_KEY,
  HANDSHAKE_PACKET_SIZE,
  RTMP_VERSION,
  SERVER_DIGEST_VERSION,
  SERVER_REPLY_SIZE,
  SIGNED_RESPONSE_LENGTH,
} from './handshake.constants';
import { findPacketDigest, hasZeroVersion, signPacket, signResponse } from './handshake-digest';
import { HandshakeError } from './handshake.error';
import { DigestScheme, HandshakeMode, HandshakeProgress, RandomFill } from './handshake.types';

export type ServerHandshakeState =
  'awaitingC0' | 'awaitingC1' | 'awaitingC2' | 'complete' | 'failed';

export interface ServerHandshakeOptions {
  /** Answer a signed C1 with the digest handshake (default true); false always answers simple. */
  readonly digest?: boolean;
  /** S1's time field, the epoch our chunk timestamps count from (default 0, SPEC §5.2.3). */
  readonly epoch?: number;
  /** Source of S1/S2 random bytes (default `crypto.randomFillSync`). */
  readonly randomFill?: RandomFill;
}

const S1_START = 1;
const S2_START = 1 + HANDSHAKE_PACKET_SIZE;
const EMPTY = Buffer.alloc(0);

/**
 * The server side of the handshake, fed whatever the socket delivers. S0+S1+S2 go out as one
 * write as soon as C0+C1 are in: FFmpeg reads S2 before it sends C2, so holding S2 back until C2
 * arrives deadlocks (notes H2). C2 is counted, never checked (notes H5).
 *
 * C1 is received straight into the S2 slot of the reply, so the simple handshake's echo costs
 * no copy and the whole exchange uses one 3073-byte buffer.
 */
export class ServerHandshake {
  private current: ServerHandshakeState = 'awaitingC0';
  private readonly reply = Buffer.alloc(SERVER_REPLY_SIZE);
  private received = 0;
  private chosenMode: HandshakeMode | undefined;
  private chosenScheme: DigestScheme | undefined;
  private readonly digest: boolean;
  private readonly epoch: number;
  private readonly randomFill: RandomFill;

  constructor(options: ServerHandshakeOptions = {}) {
    this.digest = options.digest ?? true;
    this.epoch = options.epoch ?? 0;
    this.randomFill = options.randomFill ?? randomFillSync;
  }

  get state(): ServerHandshakeState {
    return this.current;
  }

  /** How C1 was answered; undefined until C1 is in. */
  get mode(): HandshakeMode | undefined {
    return this.chosenMode;
  }

  /** The client's digest scheme, which S1 reuses; undefined unless `mode` is `digest`. */
  get digestScheme(): DigestScheme | undefined {
    return this.chosenScheme;
  }

  get complete(): boolean {
    return this.current === 'complete';
  }

  /**
   * Consumes handshake bytes. Returns the reply once C0+C1 are in, and `complete` with the bytes
   * that followed C2 once C2 is in. Throws a fatal {@link HandshakeError} for a C0 other than 3
   * and for any push after completion or failure.
   */
  push(bytes: Buffer): HandshakeProgress {
    if (this.current === 'complete' || this.current === 'failed') {
      const state = this.current;
      this.current = 'failed';
      throw HandshakeError.state('push bytes', state);
    }
    let offset = 0;
    let output: Buffer | undefined;
    while (offset < bytes.length && this.current !== 'complete') {
      if (this.current === 'awaitingC0') {
        const version = bytes[offset++];
        if (version !== RTMP_VERSION) {
          this.current = 'failed';
          throw HandshakeError.version('C0', version);
        }
        this.current = 'awaitingC1';
        continue;
      }
      const take = Math.min(bytes.length - offset, HANDSHAKE_PACKET_SIZE - this.received);
      if (this.current === 'awaitingC1') {
        bytes.copy(this.reply, S2_START + this.received, offset, offset + take);
      }
      offset += take;
      this.received += take;
      if (this.received < HANDSHAKE_PACKET_SIZE) continue;
      this.received = 0;
      if (this.current === 'awaitingC1') {
        this.answer();
        output = this.reply;
        this.current = 'awaitingC2';
      } else {
        this.current = 'complete';
      }
    }
    const complete = this.current === 'complete';
    return { output, complete, rest: complete ? bytes.subarray(offset) : EMPTY };
  }

  /** Fills S0 and S1, and S2 unless the echoed C1 already sitting there is the answer. */
  private answer(): void {
    const s1 = this.reply.subarray(S1_START, S2_START);
    const s2 = this.reply.subarray(S2_START);
    // C1 lives in the S2 slot; a zero version asks for simple mode (nginx `hs_old`).
    const clientDigest =
      this.digest && !hasZeroVersion(s2) ? findPacketDigest(s2, FP_PARTIAL_KEY) : undefined;

    this.reply[0] = RTMP_VERSION;
    s1.writeUInt32BE(this.epoch >>> 0, 0);
    this.randomFill(s1.subarray(8));
    if (clientDigest === undefined) {
      // Zeros, not a version: FFmpeg as a player validates S1's digest when byte 4 is >= 3.
      s1.writeUInt32BE(0, 4);
      this.chosenMode = 'simple';
      return;
    }
    Buffer.from(SERVER_DIGEST_VERSION).copy(s1, 4);
    signPacket(s1, clientDigest.scheme, FMS_PARTIAL_KEY);
    this.randomFill(s2.subarray(0, SIGNED_RESPONSE_LENGTH));
    signResponse(s2, FMS_FULL_KEY, clientDigest.digest);
    this.chosenMode = 'digest';
    this.chosenScheme = clientDigest.scheme;
  }
}
