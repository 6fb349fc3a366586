import * as fc from 'fast-check';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { ClientHandshake } from './client-handshake';
import { HandshakeError } from './handshake.error';
import { ServerHandshake } from './server-handshake';
import {
  REFERENCE_KEYS,
  referenceFindDigest,
  referenceOffset,
  referenceResponseSignature,
  referenceSignedPacket,
} from './testing/digest-reference';
import { feedPieces, splitAt } from './testing/handshake-feed';
import {
  CAPTURED_HANDSHAKE_LENGTH,
  NGINX_S0_S1_S2_THEN_WINDOW_ACK_SIZE,
  OBS_C0_C1_C2_THEN_SET_CHUNK_SIZE,
} from './testing/obs-handshake.fixture';
import { replayFill, seededFill } from './testing/seeded-random';

const OBS = OBS_C0_C1_C2_THEN_SET_CHUNK_SIZE;
const OBS_C1 = OBS.subarray(1, 1537);
const OBS_SET_CHUNK_SIZE = OBS.subarray(CAPTURED_HANDSHAKE_LENGTH);

/** C0 + a C1 signed the FFmpeg way (version 9.0.124.2, base-8 digest), built with raw crypto. */
function ffmpegStyleC0C1(): Buffer {
  const c1 = referenceSignedPacket({
    scheme: 'base8',
    key: REFERENCE_KEYS.fpPartial,
    version: [9, 0, 124, 2],
  });
  return Buffer.concat([Buffer.from([3]), c1]);
}

function base772C0C1(): Buffer {
  const c1 = referenceSignedPacket({
    scheme: 'base772',
    key: REFERENCE_KEYS.fpPartial,
    version: [10, 0, 45, 2],
    time: 1234,
    seed: 99,
  });
  return Buffer.concat([Buffer.from([3]), c1]);
}

/** Any 1536 bytes will do as C2: the server never checks it. */
function someC2(): Buffer {
  const c2 = Buffer.alloc(1536);
  seededFill(42)(c2);
  return c2;
}

function trailing(): Buffer {
  return Buffer.from('020000000000040100000000000010', 'hex');
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

describe('ServerHandshake', () => {
  describe('with the real OBS capture (simple handshake)', () => {
    it('answers S0+S1+S2 in one 3073-byte write, completes after C2 and keeps the chunk bytes', () => {
      const server = new ServerHandshake();
      const result = feedPieces((b) => server.push(b), [OBS]);
      expect(result.writes).toBe(1);
      expect(result.output).toHaveLength(3073);
      expect(result.complete).toBe(true);
      expect(result.rest.toString('hex')).toBe('02000000000004010000000000001000');
      expect(server.mode).toBe('simple');
      expect(server.digestScheme).toBeUndefined();
    });

    it('puts S0 = 3, the epoch and zeros in S1[0..7], and echoes C1 as S2', () => {
      const server = new ServerHandshake({ epoch: 0x01020304 });
      const { output } = server.push(OBS);
      expect(output![0]).toBe(3);
      expect(output!.readUInt32BE(1)).toBe(0x01020304);
      expect(output!.readUInt32BE(5)).toBe(0);
      expect(output!.subarray(1537).equals(OBS_C1)).toBe(true);
    });

    it("reproduces nginx's captured reply byte for byte given the same time and random bytes", () => {
      const server = new ServerHandshake({
        epoch: OBS_C1.readUInt32BE(0),
        randomFill: replayFill(OBS_C1.subarray(8)),
      });
      const { output } = server.push(OBS);
      expect(
        output!.equals(NGINX_S0_S1_S2_THEN_WINDOW_ACK_SIZE.subarray(0, CAPTURED_HANDSHAKE_LENGTH)),
      ).toBe(true);
    });

    it('replies as soon as C0+C1 are in, without waiting for C2 (FFmpeg would deadlock)', () => {
      const server = new ServerHandshake();
      const first = server.push(OBS.subarray(0, 1537));
      expect(first.output).toHaveLength(3073);
      expect(first.complete).toBe(false);
      expect(first.rest).toHaveLength(0);
      expect(server.state).toBe('awaitingC2');
      const second = server.push(OBS.subarray(1537));
      expect(second.output).toBeUndefined();
      expect(second.complete).toBe(true);
      expect(second.rest.equals(OBS_SET_CHUNK_SIZE)).toBe(true);
    });

    it('returns the bytes after C2 as a view of the pushed buffer, not a copy', () => {
      const input = Buffer.from(OBS);
      const { rest } = new ServerHandshake().push(input);
      expect(rest.buffer).toBe(input.buffer);
      expect(rest.byteOffset).toBe(input.byteOffset + CAPTURED_HANDSHAKE_LENGTH);
    });

    it('returns an empty rest when C2 ends the buffer', () => {
      const progress = new ServerHandshake().push(OBS.subarray(0, CAPTURED_HANDSHAKE_LENGTH));
      expect(progress.complete).toBe(true);
      expect(progress.rest).toHaveLength(0);
    });

    it('gives the same reply and leftover bytes at every split point', () => {
      const fill = () => replayFill(OBS_C1.subarray(8));
      const expected = feedPieces(
        (b) => new ServerHandshake({ randomFill: fill() }).push(b),
        [OBS],
      );
      for (let cut = 0; cut <= OBS.length; cut++) {
        const server = new ServerHandshake({ randomFill: fill() });
        const result = feedPieces((b) => server.push(b), splitAt(OBS, [cut]));
        if (!result.output.equals(expected.output) || !result.rest.equals(expected.rest)) {
          throw new Error(`split at ${cut} changed the outcome`);
        }
        expect(result.complete).toBe(true);
      }
      expect(expected.rest.equals(OBS_SET_CHUNK_SIZE)).toBe(true);
    });

    it('gives the same reply and leftover bytes under random multi-splits', () => {
      const fill = () => replayFill(OBS_C1.subarray(8));
      const expected = feedPieces(
        (b) => new ServerHandshake({ randomFill: fill() }).push(b),
        [OBS],
      );
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: OBS.length }), { maxLength: 40 }),
          (cuts) => {
            const server = new ServerHandshake({ randomFill: fill() });
            const result = feedPieces((b) => server.push(b), splitAt(OBS, cuts));
            expect(result.writes).toBe(1);
            expect(result.output.equals(expected.output)).toBe(true);
            expect(result.rest.equals(expected.rest)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('accepts one byte at a time', () => {
      const server = new ServerHandshake();
      const result = feedPieces(
        (b) => server.push(b),
        splitAt(
          OBS,
          Array.from({ length: OBS.length }, (_, i) => i),
        ),
      );
      expect(result.writes).toBe(1);
      expect(result.rest.equals(OBS_SET_CHUNK_SIZE)).toBe(true);
    });
  });

  describe('digest handshake', () => {
    it('answers an FFmpeg-style base-8 C1 with an S1 signed under base 8 by the FMS key', () => {
      const c0c1 = ffmpegStyleC0C1();
      const server = new ServerHandshake();
      const { output } = server.push(c0c1);
      expect(server.mode).toBe('digest');
      expect(server.digestScheme).toBe('base8');
      const s1 = output!.subarray(1, 1537);
      expect([...s1.subarray(4, 8)]).toEqual([0x0d, 0x0e, 0x0a, 0x0d]);
      expect(referenceFindDigest(s1, 'base8', REFERENCE_KEYS.fmsPartial)).toBeDefined();
    });

    it('signs S2 with HMAC(HMAC(FMS full key, C1 digest), S2[0..1503])', () => {
      const c0c1 = ffmpegStyleC0C1();
      const c1 = c0c1.subarray(1);
      const c1Digest = referenceFindDigest(c1, 'base8', REFERENCE_KEYS.fpPartial)!;
      const { output } = new ServerHandshake().push(c0c1);
      const s2 = output!.subarray(1537);
      expect(
        s2.subarray(1504).equals(referenceResponseSignature(s2, REFERENCE_KEYS.fmsFull, c1Digest)),
      ).toBe(true);
      expect(s2.equals(c1)).toBe(false);
    });

    it('answers a base-772 C1 with an S1 signed under base 772', () => {
      const server = new ServerHandshake();
      const { output } = server.push(base772C0C1());
      expect(server.mode).toBe('digest');
      expect(server.digestScheme).toBe('base772');
      const s1 = output!.subarray(1, 1537);
      const digest = referenceFindDigest(s1, 'base772', REFERENCE_KEYS.fmsPartial);
      expect(digest).toBeDefined();
      expect(referenceOffset(s1, 'base772')).toBeGreaterThanOrEqual(776);
    });

    it('answers the C1 of ClientHandshake in digest mode', () => {
      const client = new ClientHandshake({ digest: true, randomFill: seededFill(1) });
      const server = new ServerHandshake();
      server.push(client.start());
      expect(server.mode).toBe('digest');
      expect(server.digestScheme).toBe('base8');
    });

    it('falls back to simple when C1 has a version but no valid digest (never rejects)', () => {
      const c0c1 = ffmpegStyleC0C1();
      c0c1[200] ^= 0xff; // breaks whichever digest the packet carried
      c0c1[1000] ^= 0xff;
      const server = new ServerHandshake();
      const { output } = server.push(c0c1);
      expect(server.mode).toBe('simple');
      expect(output!.readUInt32BE(5)).toBe(0);
      expect(output!.subarray(1537).equals(c0c1.subarray(1))).toBe(true);
    });

    it('answers simple when digest is turned off, even to a signed C1', () => {
      const c0c1 = ffmpegStyleC0C1();
      const server = new ServerHandshake({ digest: false });
      const { output } = server.push(c0c1);
      expect(server.mode).toBe('simple');
      expect(output!.subarray(1537).equals(c0c1.subarray(1))).toBe(true);
    });

    it('ignores a signed C1 whose version bytes are zero, as nginx does', () => {
      const c1 = referenceSignedPacket({
        scheme: 'base8',
        key: REFERENCE_KEYS.fpPartial,
        version: [0, 0, 0, 0],
      });
      const server = new ServerHandshake();
      server.push(Buffer.concat([Buffer.from([3]), c1]));
      expect(server.mode).toBe('simple');
    });

    it('gives the same reply and leftover bytes at every split point of a digest exchange', () => {
      const input = Buffer.concat([ffmpegStyleC0C1(), someC2(), trailing()]);
      const expected = feedPieces(
        (b) => new ServerHandshake({ randomFill: seededFill(8) }).push(b),
        [input],
      );
      expect(expected.rest.equals(trailing())).toBe(true);
      for (let cut = 0; cut <= input.length; cut++) {
        const server = new ServerHandshake({ randomFill: seededFill(8) });
        const result = feedPieces((b) => server.push(b), splitAt(input, [cut]));
        if (!result.output.equals(expected.output) || !result.rest.equals(expected.rest)) {
          throw new Error(`split at ${cut} changed the outcome`);
        }
        expect(server.mode).toBe('digest');
      }
    });
  });

  describe('C2', () => {
    it('is never checked: garbage completes the handshake', () => {
      const server = new ServerHandshake();
      server.push(OBS.subarray(0, 1537));
      const progress = server.push(Buffer.alloc(1536, 0x55));
      expect(progress.complete).toBe(true);
      expect(server.state).toBe('complete');
    });
  });

  describe('errors', () => {
    it.each([
      [0x06, 'RTMPE'],
      [0x16, 'a TLS ClientHello'],
      [0x47, 'HTTP "GET"'],
      [0x00, 'a deprecated version'],
    ])('rejects C0 = %i (%s) with a fatal HandshakeVersion error', (version) => {
      const server = new ServerHandshake();
      const error = expectHandshakeError(
        () => server.push(Buffer.from([version, 0, 0, 0])),
        RtmpErrorCode.HandshakeVersion,
      );
      expect(error.context).toEqual({ packet: 'C0', received: version });
      expect(server.state).toBe('failed');
    });

    it('rejects a push after completion with a HandshakeState error', () => {
      const server = new ServerHandshake();
      server.push(OBS);
      expectHandshakeError(() => server.push(Buffer.from([2])), RtmpErrorCode.HandshakeState);
      expect(server.state).toBe('failed');
    });

    it('rejects a push after an error with a HandshakeState error', () => {
      const server = new ServerHandshake();
      expect(() => server.push(Buffer.from([4]))).toThrow(HandshakeError);
      const error = expectHandshakeError(
        () => server.push(OBS.subarray(1)),
        RtmpErrorCode.HandshakeState,
      );
      expect(error.context).toEqual({ operation: 'push bytes', state: 'failed' });
    });
  });

  it('treats an empty push as no progress', () => {
    const server = new ServerHandshake();
    expect(server.push(Buffer.alloc(0))).toEqual({
      output: undefined,
      complete: false,
      rest: Buffer.alloc(0),
    });
    expect(server.state).toBe('awaitingC0');
  });

  it('makes progress or throws an RtmpError for any bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 2000 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (pieces, validC0) => {
          const server = new ServerHandshake({ randomFill: seededFill(2) });
          if (validC0) server.push(Buffer.from([3]));
          let consumed = validC0 ? 1 : 0;
          try {
            for (const piece of pieces) {
              const progress = server.push(Buffer.from(piece));
              consumed += piece.length - progress.rest.length;
              if (progress.complete) break;
            }
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
            return;
          }
          expect(consumed).toBeLessThanOrEqual(3073);
          expect(server.complete).toBe(consumed === 3073);
        },
      ),
      { numRuns: 200 },
    );
  });
});
