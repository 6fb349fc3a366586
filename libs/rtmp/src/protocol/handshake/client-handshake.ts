import { randomFillSync } from 'crypto';
import {
  CLIENT_DIGEST_VERSION,
  CLIENT_HELLO_SIZE,
  FMS_FULL_KEY,
  FMS_PARTIAL_KEY,
  FP_FULL_KEY,
  FP_PARTIAL_KEY,
  HANDSHAKE_PACKET_SIZE,
  RTMP_VERSION,
  SIGNED_RESPONSE_LENGTH,
} from './handshake.constants';
import {
  findPacketDigest,
  hasZeroVersion,
  isEchoOf,
  signPacket,
  signResponse,
  verifyResponse,
} from './handshake-digest';
import { HandshakeError } from './handshake.error';
import { DigestScheme, HandshakeMode, HandshakeProgress, RandomFill } from './handshake.types';

export type ClientHandshakeState =
  'idle' | 'awaitingS0' | 'awaitingS1' | 'awaitingS2' | 'complete' | 'failed';

export interface ClientHandshakeOptions {
  /**
   * Sign C1 (FFmpeg style) and, when S1 carries a valid server digest, sign C2 (default false:
   * C1[4..7] zero, as OBS sends, which every server accepts).
   */
  readonly digest?: boolean;
  /** Where the C1 digest goes in digest mode (default `base8`, the one FMS requires). */
  readonly digestScheme?: DigestScheme;
  /**
   * Throw a `HandshakeVerification` error when S2 does not answer C1 (default false: OBS and
   * nginx's relay only log such a mismatch, so a strict client would refuse servers they accept).
   */
  readonly strict?: boolean;
  /** C1's time field, the epoch our chunk timestamps count from (default 0). */
  readonly epoch?: number;
  /** Source of C1/C2 random bytes (default `crypto.randomFillSync`). */
  readonly randomFill?: RandomFill;
}

const EMPTY = Buffer.alloc(0);

/**
 * The client side of the handshake. `start()` gives C0+C1; `push()` takes whatever the socket
 * delivers. C2 goes out as soon as S1 is in (as OBS does), which is valid since the server sent
 * S2 without waiting for it. S1 is received straight into the C2 buffer so the simple echo costs
 * no copy.
 */
export class ClientHandshake {
  private current: ClientHandshakeState = 'idle';
  private readonly hello = Buffer.alloc(CLIENT_HELLO_SIZE);
  private readonly c2 = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  private readonly s2 = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  private received = 0;
  private c1Digest: Buffer | undefined;
  private chosenMode: HandshakeMode | undefined;
  private verified: boolean | undefined;
  private readonly digest: boolean;
  private readonly digestScheme: DigestScheme;
  private readonly strict: boolean;
  private readonly epoch: number;
  private readonly randomFill: RandomFill;

  constructor(options: ClientHandshakeOptions = {}) {
    this.digest = options.digest ?? false;
    this.digestScheme = options.digestScheme ?? 'base8';
    this.strict = options.strict ?? false;
    this.epoch = options.epoch ?? 0;
    this.randomFill = options.randomFill ?? randomFillSync;
  }

  get state(): ClientHandshakeState {
    return this.current;
  }

  /** `digest` once S1 is in if both sides signed, `simple` otherwise; undefined before S1. */
  get mode(): HandshakeMode | undefined {
    return this.chosenMode;
  }

  /**
   * Whether S2 answers our C1 (simple: echoes its time and random bytes; digest: carries the
   * signature derived from our C1 digest). Undefined until S2 is in. For logs; only `strict`
   * turns `false` into an error.
   */
  get serverVerified(): boolean | undefined {
    return this.verified;
  }

  get complete(): boolean {
    return this.current === 'complete';
  }

  /** Builds C0+C1, the client's first write. Throws a `HandshakeState` error if called twice. */
  start(): Buffer {
    if (this.current !== 'idle') {
      const state = this.current;
      this.current = 'failed';
      throw HandshakeError.state('start', state);
    }
    const c1 = this.hello.subarray(1);
    this.hello[0] = RTMP_VERSION;
    c1.writeUInt32BE(this.epoch >>> 0, 0);
    this.randomFill(c1.subarray(8));
    if (this.digest) {
      Buffer.from(CLIENT_DIGEST_VERSION).copy(c1, 4);
      this.c1Digest = signPacket(c1, this.digestScheme, FP_PARTIAL_KEY).digest;
    } else {
      c1.writeUInt32BE(0, 4);
    }
    this.current = 'awaitingS0';
    return this.hello;
  }

  /**
   * Consumes S0+S1+S2 bytes. Returns C2 once S1 is in, and `complete` with the bytes that
   * followed S2 once S2 is in. Throws a fatal {@link HandshakeError} for an S0 other than 3,
   * before `start()`, after completion or failure, and (strict only) for an unverified S2.
   */
  push(bytes: Buffer): HandshakeProgress {
    if (this.current === 'idle' || this.current === 'complete' || this.current === 'failed') {
      const state = this.current;
      this.current = 'failed';
      throw HandshakeError.state('push bytes', state);
    }
    let offset = 0;
    let output: Buffer | undefined;
    while (offset < bytes.length && this.current !== 'complete') {
      if (this.current === 'awaitingS0') {
        const version = bytes[offset++];
        if (version !== RTMP_VERSION) {
          this.current = 'failed';
          throw HandshakeError.version('S0', version);
        }
        this.current = 'awaitingS1';
        continue;
      }
      const target = this.current === 'awaitingS1' ? this.c2 : this.s2;
      const take = Math.min(bytes.length - offset, HANDSHAKE_PACKET_SIZE - this.received);
      bytes.copy(target, this.received, offset, offset + take);
      offset += take;
      this.received += take;
      if (this.received < HANDSHAKE_PACKET_SIZE) continue;
      this.received = 0;
      if (this.current === 'awaitingS1') {
        this.answer();
        output = this.c2;
        this.current = 'awaitingS2';
      } else {
        this.check();
        this.current = 'complete';
      }
    }
    const complete = this.current === 'complete';
    return { output, complete, rest: complete ? bytes.subarray(offset) : EMPTY };
  }

  /** Turns the S1 sitting in the C2 buffer into C2: kept as the echo, or replaced and signed. */
  private answer(): void {
    const serverDigest =
      this.c1Digest !== undefined && !hasZeroVersion(this.c2)
        ? findPacketDigest(this.c2, FMS_PARTIAL_KEY)
        : undefined;
    if (serverDigest === undefined) {
      this.chosenMode = 'simple';
      return;
    }
    this.randomFill(this.c2.subarray(0, SIGNED_RESPONSE_LENGTH));
    signResponse(this.c2, FP_FULL_KEY, serverDigest.digest);
    this.chosenMode = 'digest';
  }

  /** Records whether S2 answers C1; only strict mode makes a mismatch fatal. */
  private check(): void {
    this.verified =
      this.chosenMode === 'digest' && this.c1Digest !== undefined
        ? verifyResponse(this.s2, FMS_FULL_KEY, this.c1Digest)
        : isEchoOf(this.s2, this.hello.subarray(1));
    if (!this.verified && this.strict) {
      this.current = 'failed';
      throw HandshakeError.verification(this.chosenMode ?? 'simple');
    }
  }
}
