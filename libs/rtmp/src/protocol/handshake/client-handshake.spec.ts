import * as fc from 'fast-check';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { ClientHandshake, ClientHandshakeOptions } from './client-handshake';
import { HandshakeError } from './handshake.error';
import {
  REFERENCE_KEYS,
  referenceFindDigest,
  referenceResponseSignature,
  referenceSignedPacket,
  referenceSignedResponse,
} from './testing/digest-reference';
import { feedPieces, splitAt } from './testing/handshake-feed';
import {
  CAPTURED_HANDSHAKE_LENGTH,
  NGINX_S0_S1_S2_THEN_WINDOW_ACK_SIZE,
  OBS_C0_C1_C2_THEN_SET_CHUNK_SIZE,
} from './testing/obs-handshake.fixture';
import { replayFill, seededFill } from './testing/seeded-random';

const NGINX = NGINX_S0_S1_S2_THEN_WINDOW_ACK_SIZE;
const NGINX_WINDOW_ACK_SIZE = NGINX.subarray(CAPTURED_HANDSHAKE_LENGTH);
const OBS_C1 = OBS_C0_C1_C2_THEN_SET_CHUNK_SIZE.subarray(1, 1537);
const OBS_C2 = OBS_C0_C1_C2_THEN_SET_CHUNK_SIZE.subarray(1537, CAPTURED_HANDSHAKE_LENGTH);

/** A client that sends exactly OBS's captured C0+C1. */
function obsLikeClient(options: ClientHandshakeOptions = {}): ClientHandshake {
  return new ClientHandshake({
    epoch: OBS_C1.readUInt32BE(0),
    randomFill: replayFill(OBS_C1.subarray(8)),
    ...options,
  });
}

/** S0+S1+S2 as a digest server (nginx style) would answer `c0c1`, built with raw crypto. */
function digestServerReply(c0c1: Buffer, scheme: 'base8' | 'base772' = 'base8'): Buffer {
  const c1Digest = referenceFindDigest(c0c1.subarray(1), 'base8', REFERENCE_KEYS.fpPartial)!;
  const s1 = referenceSignedPacket({
    scheme,
    key: REFERENCE_KEYS.fmsPartial,
    version: [0x0d, 0x0e, 0x0a, 0x0d],
    time: 77,
    seed: 4242,
  });
  const s2 = referenceSignedResponse(REFERENCE_KEYS.fmsFull, c1Digest);
  return Buffer.concat([Buffer.from([3]), s1, s2]);
}

function expectHandshakeError(action: () => unknown, code: string): HandshakeError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(HandshakeError);
  expect(caught).toBeInstanceOf(RtmpError);
  const error = caught as HandshakeError;
  expect(error.code).toBe(code);
  expect(error.fatal).toBe(true);
  return error;
}

describe('ClientHandshake', () => {
  describe('start', () => {
    it('builds a 1537-byte simple C0+C1: version 3, the epoch, zeros, random bytes', () => {
      const c0c1 = new ClientHandshake({ epoch: 500, randomFill: seededFill(1) }).start();
      expect(c0c1).toHaveLength(1537);
      expect(c0c1[0]).toBe(3);
      expect(c0c1.readUInt32BE(1)).toBe(500);
      expect(c0c1.readUInt32BE(5)).toBe(0);
      expect(c0c1.subarray(9).some((byte) => byte !== 0)).toBe(true);
    });

    it("reproduces OBS's captured C0+C1 given its time and random bytes", () => {
      const c0c1 = obsLikeClient().start();
      expect(c0c1.equals(OBS_C0_C1_C2_THEN_SET_CHUNK_SIZE.subarray(0, 1537))).toBe(true);
    });

    it('signs C1 in digest mode with version 0C 00 0D 0E and a base-8 FP digest', () => {
      const c0c1 = new ClientHandshake({ digest: true, randomFill: seededFill(1) }).start();
      const c1 = c0c1.subarray(1);
      expect([...c1.subarray(4, 8)]).toEqual([0x0c, 0x00, 0x0d, 0x0e]);
      expect(referenceFindDigest(c1, 'base8', REFERENCE_KEYS.fpPartial)).toBeDefined();
      expect(referenceFindDigest(c1, 'base772', REFERENCE_KEYS.fpPartial)).toBeUndefined();
    });

    it('can put the C1 digest under base 772 instead', () => {
      const c0c1 = new ClientHandshake({
        digest: true,
        digestScheme: 'base772',
        randomFill: seededFill(1),
      }).start();
      expect(
        referenceFindDigest(c0c1.subarray(1), 'base772', REFERENCE_KEYS.fpPartial),
      ).toBeDefined();
    });
  });

  describe('against the real nginx reply (simple handshake)', () => {
    it("answers S1 with OBS's captured C2, verifies S2 and keeps the chunk bytes", () => {
      const client = obsLikeClient();
      client.start();
      const result = feedPieces((b) => client.push(b), [NGINX]);
      expect(result.writes).toBe(1);
      expect(result.output.equals(OBS_C2)).toBe(true);
      expect(result.complete).toBe(true);
      expect(result.rest.equals(NGINX_WINDOW_ACK_SIZE)).toBe(true);
      expect(result.rest.toString('hex')).toBe('020000000000040500000000004c4b40');
      expect(client.mode).toBe('simple');
      expect(client.serverVerified).toBe(true);
    });

    it('sends C2 as soon as S1 is in, before S2', () => {
      const client = obsLikeClient();
      client.start();
      const first = client.push(NGINX.subarray(0, 1537));
      expect(first.output).toHaveLength(1536);
      expect(first.complete).toBe(false);
      expect(client.state).toBe('awaitingS2');
      const second = client.push(NGINX.subarray(1537));
      expect(second.output).toBeUndefined();
      expect(second.complete).toBe(true);
    });

    it('returns the bytes after S2 as a view of the pushed buffer', () => {
      const client = obsLikeClient();
      client.start();
      const input = Buffer.from(NGINX);
      const { rest } = client.push(input);
      expect(rest.buffer).toBe(input.buffer);
      expect(rest.byteOffset).toBe(input.byteOffset + CAPTURED_HANDSHAKE_LENGTH);
    });

    it('gives the same C2 and leftover bytes at every split point', () => {
      for (let cut = 0; cut <= NGINX.length; cut++) {
        const client = obsLikeClient();
        client.start();
        const result = feedPieces((b) => client.push(b), splitAt(NGINX, [cut]));
        if (!result.output.equals(OBS_C2) || !result.rest.equals(NGINX_WINDOW_ACK_SIZE)) {
          throw new Error(`split at ${cut} changed the outcome`);
        }
        expect(client.serverVerified).toBe(true);
      }
    });

    it('gives the same C2 and leftover bytes under random multi-splits', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: NGINX.length }), { maxLength: 40 }),
          (cuts) => {
            const client = obsLikeClient();
            client.start();
            const result = feedPieces((b) => client.push(b), splitAt(NGINX, cuts));
            expect(result.writes).toBe(1);
            expect(result.output.equals(OBS_C2)).toBe(true);
            expect(result.rest.equals(NGINX_WINDOW_ACK_SIZE)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('reports an S2 that does not echo C1, without failing', () => {
      const client = new ClientHandshake({ randomFill: seededFill(3) });
      client.start();
      const progress = client.push(NGINX);
      expect(progress.complete).toBe(true);
      expect(client.serverVerified).toBe(false);
    });

    it('accepts an S2 whose time2 field (bytes 4..7) differs from C1', () => {
      const client = obsLikeClient();
      client.start();
      const reply = Buffer.from(NGINX);
      reply.writeUInt32BE(0x12345678, 1537 + 4);
      client.push(reply);
      expect(client.serverVerified).toBe(true);
    });
  });

  describe('digest mode', () => {
    it('signs C2 with HMAC(HMAC(FP full key, S1 digest), C2[0..1503])', () => {
      const client = new ClientHandshake({ digest: true, randomFill: seededFill(5) });
      const reply = digestServerReply(client.start());
      const { output, complete } = client.push(reply);
      expect(complete).toBe(true);
      expect(client.mode).toBe('digest');
      const s1Digest = referenceFindDigest(
        reply.subarray(1, 1537),
        'base8',
        REFERENCE_KEYS.fmsPartial,
      )!;
      const c2 = output!;
      expect(c2).toHaveLength(1536);
      expect(
        c2.subarray(1504).equals(referenceResponseSignature(c2, REFERENCE_KEYS.fpFull, s1Digest)),
      ).toBe(true);
    });

    it('finds the S1 digest under base 772 too', () => {
      const client = new ClientHandshake({ digest: true, randomFill: seededFill(5) });
      client.push(digestServerReply(client.start(), 'base772'));
      expect(client.mode).toBe('digest');
      expect(client.serverVerified).toBe(true);
    });

    it('verifies the S2 signature', () => {
      const client = new ClientHandshake({ digest: true, randomFill: seededFill(5) });
      client.push(digestServerReply(client.start()));
      expect(client.serverVerified).toBe(true);
    });

    it('reports a wrong S2 signature without failing by default', () => {
      const client = new ClientHandshake({ digest: true, randomFill: seededFill(5) });
      const reply = digestServerReply(client.start());
      reply[reply.length - 1] ^= 1;
      const progress = client.push(reply);
      expect(progress.complete).toBe(true);
      expect(client.serverVerified).toBe(false);
    });

    it('echoes S1 when the server answered a signed C1 in simple mode', () => {
      const client = new ClientHandshake({ digest: true, randomFill: seededFill(5) });
      const c0c1 = client.start();
      const s1 = Buffer.alloc(1536, 7);
      s1.writeUInt32BE(0, 4);
      const reply = Buffer.concat([Buffer.from([3]), s1, c0c1.subarray(1)]);
      const { output } = client.push(reply);
      expect(client.mode).toBe('simple');
      expect(output!.equals(s1)).toBe(true);
      expect(client.serverVerified).toBe(true);
    });

    it('echoes a signed S1 when the client itself did not sign C1', () => {
      const client = new ClientHandshake({ randomFill: seededFill(5) });
      const c0c1 = client.start();
      const reply = digestServerReply(Buffer.concat([c0c1.subarray(0, 1), signedPlaceholderC1()]));
      const { output } = client.push(reply);
      expect(client.mode).toBe('simple');
      expect(output!.equals(reply.subarray(1, 1537))).toBe(true);
    });
  });

  describe('errors', () => {
    it.each([0, 6, 0x16])('rejects S0 = %i with a fatal HandshakeVersion error', (version) => {
      const client = new ClientHandshake();
      client.start();
      const error = expectHandshakeError(
        () => client.push(Buffer.from([version])),
        RtmpErrorCode.HandshakeVersion,
      );
      expect(error.context).toEqual({ packet: 'S0', received: version });
      expect(client.state).toBe('failed');
    });

    it('rejects a push before start with a HandshakeState error', () => {
      expectHandshakeError(
        () => new ClientHandshake().push(Buffer.from([3])),
        RtmpErrorCode.HandshakeState,
      );
    });

    it('rejects a second start with a HandshakeState error', () => {
      const client = new ClientHandshake();
      client.start();
      expectHandshakeError(() => client.start(), RtmpErrorCode.HandshakeState);
    });

    it('rejects a push after completion with a HandshakeState error', () => {
      const client = obsLikeClient();
      client.start();
      client.push(NGINX);
      expectHandshakeError(() => client.push(Buffer.from([2])), RtmpErrorCode.HandshakeState);
    });

    it('rejects a push after an error with a HandshakeState error', () => {
      const client = new ClientHandshake();
      client.start();
      expect(() => client.push(Buffer.from([9]))).toThrow(HandshakeError);
      expectHandshakeError(() => client.push(NGINX.subarray(1)), RtmpErrorCode.HandshakeState);
    });

    it('strict: rejects an S2 that does not echo C1 with a HandshakeVerification error', () => {
      const client = new ClientHandshake({ strict: true, randomFill: seededFill(3) });
      client.start();
      const error = expectHandshakeError(
        () => client.push(NGINX),
        RtmpErrorCode.HandshakeVerification,
      );
      expect(error.context).toEqual({ packet: 'S2', mode: 'simple' });
      expect(client.state).toBe('failed');
    });

    it('strict: rejects a wrong S2 signature with a HandshakeVerification error', () => {
      const client = new ClientHandshake({ digest: true, strict: true, randomFill: seededFill(5) });
      const reply = digestServerReply(client.start());
      reply[1537 + 10] ^= 1;
      const error = expectHandshakeError(
        () => client.push(reply),
        RtmpErrorCode.HandshakeVerification,
      );
      expect(error.context).toEqual({ packet: 'S2', mode: 'digest' });
    });

    it('strict: accepts a valid S2', () => {
      const client = obsLikeClient({ strict: true });
      client.start();
      expect(client.push(NGINX).complete).toBe(true);
    });
  });

  it('makes progress or throws an RtmpError for any bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 2000 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        (pieces, validS0, digest) => {
          const client = new ClientHandshake({ digest, randomFill: seededFill(2) });
          client.start();
          if (validS0) client.push(Buffer.from([3]));
          let consumed = validS0 ? 1 : 0;
          try {
            for (const piece of pieces) {
              const progress = client.push(Buffer.from(piece));
              consumed += piece.length - progress.rest.length;
              if (progress.complete) break;
            }
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
            return;
          }
          expect(consumed).toBeLessThanOrEqual(3073);
          expect(client.complete).toBe(consumed === 3073);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Any signed C1, only used to derive a valid digest-server reply for a client that sent plain C1. */
function signedPlaceholderC1(): Buffer {
  return referenceSignedPacket({
    scheme: 'base8',
    key: REFERENCE_KEYS.fpPartial,
    version: [1, 2, 3, 4],
  });
}
