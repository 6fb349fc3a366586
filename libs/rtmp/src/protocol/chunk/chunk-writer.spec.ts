import { ChunkStreamError } from '../errors/chunk-stream.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { RtmpMessage } from '../message/rtmp-message';
import { ChunkWriter } from './chunk-writer';

const hex = (text: string): string => text.replace(/\s+/g, '');

function media(
  timestamp: number,
  payload: Buffer,
  overrides: Partial<RtmpMessage> = {},
): RtmpMessage {
  return { chunkStreamId: 6, messageStreamId: 1, typeId: 9, timestamp, payload, ...overrides };
}

describe('ChunkWriter', () => {
  describe('one encoding shared by many connections', () => {
    it('encodes with a full header whatever was sent before, split at the chunk size given', () => {
      const payload = Buffer.from([1, 2, 3, 4, 5]);
      expect(ChunkWriter.encodeWithFullHeader(media(0x123, payload), 2).toString('hex')).toBe(
        hex('06 000123 000005 09 01000000 0102 c6 0304 c6 05'),
      );
      // Extended timestamps are repeated on the continuation chunks.
      expect(ChunkWriter.encodeWithFullHeader(media(0x1000000, payload), 4).toString('hex')).toBe(
        hex('06 ffffff 000005 09 01000000 01000000 01020304 c6 01000000 05'),
      );
    });

    it('decodes the same as what a connection writer writes, and the writer compresses the next header against it', () => {
      const writer = new ChunkWriter();
      writer.encode(media(10, Buffer.from([9])));
      const shared = ChunkWriter.encodeWithFullHeader(media(40, Buffer.from([1, 1])), 128);
      writer.recordFullHeaderSent(media(40, Buffer.from([1, 1])));
      // Next message: same length and type, so fmt 2 with the delta from the shared one.
      expect(writer.encodeToBuffer(media(60, Buffer.from([2, 2]))).toString('hex')).toBe(
        hex('86 000014 0202'),
      );
      const reference = new ChunkWriter();
      expect(shared).toEqual(reference.encodeToBuffer(media(40, Buffer.from([1, 1]))));
    });
  });

  it('writes fmt 0 first, then fmt 1, fmt 2 and fmt 3 as the header allows', () => {
    const writer = new ChunkWriter();
    const one = Buffer.from([1]);
    const wire = [
      writer.encodeToBuffer(media(100, one, { typeId: 8 })), // new chunk stream → fmt 0
      writer.encodeToBuffer(media(120, Buffer.from([2, 2]))), // length/type change → fmt 1
      writer.encodeToBuffer(media(130, Buffer.from([3, 3]))), // new delta → fmt 2
      writer.encodeToBuffer(media(140, Buffer.from([4, 4]))), // same delta → fmt 3
    ].map((b) => b.toString('hex'));
    expect(wire).toEqual([
      hex('06 000064 000001 08 01000000 01'),
      hex('46 000014 000002 09 0202'),
      hex('86 00000a 0303'),
      hex('c6 0404'),
    ]);
  });

  it('never uses fmt 3 for a new message right after fmt 0 (readers disagree on its delta)', () => {
    const writer = new ChunkWriter();
    writer.encode(media(40, Buffer.from([1])));
    expect(writer.encodeToBuffer(media(80, Buffer.from([2]))).toString('hex')).toBe(
      hex('86 000028 02'),
    );
  });

  it('falls back to fmt 0 when a timestamp goes backwards or the msid changes', () => {
    const writer = new ChunkWriter();
    writer.encode(media(1000, Buffer.from([1])));
    expect(writer.encodeToBuffer(media(900, Buffer.from([2])))[0] >> 6).toBe(0);
    expect(
      writer.encodeToBuffer(media(950, Buffer.from([3]), { messageStreamId: 2 }))[0] >> 6,
    ).toBe(0);
  });

  it('splits payloads at the chunk size with fmt 3 continuation headers', () => {
    const writer = new ChunkWriter();
    const payload = Buffer.alloc(300, 5);
    const parts = writer.encode(media(0, payload));
    expect(parts.map((p) => p.length)).toEqual([12, 128, 1, 128, 1, 44]);
    expect(parts[2].toString('hex')).toBe('c6');
  });

  it('hands out payload pieces as views of the caller payload (no copy)', () => {
    const writer = new ChunkWriter();
    writer.setChunkSize(4096);
    const payload = Buffer.alloc(10000, 1);
    const pieces = writer.encode(media(0, payload)).filter((_, index) => index % 2 === 1);
    expect(pieces).toHaveLength(3);
    for (const piece of pieces) expect(piece.buffer).toBe(payload.buffer);
    expect(pieces.map((p) => p.byteOffset - payload.byteOffset)).toEqual([0, 4096, 8192]);
  });

  it('writes the extended timestamp on the first chunk and every continuation chunk', () => {
    const writer = new ChunkWriter();
    const parts = writer.encode(media(0x01000000, Buffer.alloc(200, 1)));
    expect(parts[0].toString('hex')).toBe(hex('06 ffffff 0000c8 09 01000000 01000000'));
    expect(parts[2].toString('hex')).toBe(hex('c6 01000000'));
  });

  it('writes an extended delta when a delta reaches 0xFFFFFF', () => {
    const writer = new ChunkWriter();
    writer.encode(media(0, Buffer.from([1])));
    expect(writer.encodeToBuffer(media(0x01000000, Buffer.from([2]))).toString('hex')).toBe(
      hex('86 ffffff 01000000 02'),
    );
  });

  it('writes 1-, 2- and 3-byte basic headers (3-byte little-endian)', () => {
    const writer = new ChunkWriter();
    const first = (csid: number): string =>
      writer.encodeToBuffer(media(0, Buffer.from([1]), { chunkStreamId: csid })).toString('hex');
    expect(first(63).slice(0, 2)).toBe('3f');
    expect(first(64).slice(0, 4)).toBe('0000');
    expect(first(319).slice(0, 4)).toBe('00ff');
    expect(first(320).slice(0, 6)).toBe('010001');
    expect(first(65599).slice(0, 6)).toBe('01ffff');
  });

  it('writes a zero-length message as a header alone', () => {
    const writer = new ChunkWriter();
    expect(writer.encode(media(0, Buffer.alloc(0)))).toHaveLength(1);
  });

  it('refuses chunk stream ids outside 2..65599 and payloads over 24 bits', () => {
    const writer = new ChunkWriter();
    for (const chunkStreamId of [0, 1, 65600]) {
      expect(() => writer.encode(media(0, Buffer.from([1]), { chunkStreamId }))).toThrow(
        ChunkStreamError,
      );
    }
    try {
      writer.encode(media(0, Buffer.alloc(0x1000000)));
      throw new Error('expected a ChunkStreamError');
    } catch (error) {
      expect(error).toBeInstanceOf(ChunkStreamError);
      expect((error as ChunkStreamError).code).toBe(RtmpErrorCode.ChunkMessageTooLarge);
    }
  });

  it('refuses invalid chunk sizes', () => {
    const writer = new ChunkWriter();
    for (const size of [0, -1, 1.5, 0x80000000]) {
      expect(() => writer.setChunkSize(size)).toThrow(ChunkStreamError);
    }
  });
});
