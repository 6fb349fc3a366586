import { encodeFlvHeader, encodeFlvTagHeader, encodeFlvTagTrailer } from './flv-file.encoder';
import { FlvTagType } from './flv-file.constants';
import type { FlvTag } from './flv-file.types';
import { FlvHeaderInvalidError } from './flv-header-invalid.error';
import { FlvReader } from './flv.reader';
import { readFlvFile } from './read-flv-file';
import { hex } from './testing/hex';

interface DraftTag {
  type: number;
  timestamp: number;
  body: Buffer;
}

function buildFile(
  tags: DraftTag[],
  header = encodeFlvHeader({ audio: true, video: true }),
): Buffer {
  const parts = [header];
  for (const tag of tags) {
    parts.push(encodeFlvTagHeader(tag.type, tag.timestamp, tag.body.length), tag.body);
    parts.push(encodeFlvTagTrailer(tag.body.length));
  }
  return Buffer.concat(parts);
}

/** Pushes the pieces one after the other and returns every tag with its body copied out. */
function readPieces(pieces: Buffer[]): FlvTag[] {
  const reader = new FlvReader();
  const tags: FlvTag[] = [];
  for (const piece of pieces)
    reader.push(piece, (tag) => tags.push({ ...tag, body: Buffer.from(tag.body) }));
  reader.end();
  return tags;
}

const SYNTHETIC: DraftTag[] = [
  {
    type: FlvTagType.ScriptData,
    timestamp: 0,
    body: hex("02 00 0A 'onMetaData' 08 00 00 00 00 00 00 09"),
  },
  {
    type: FlvTagType.Video,
    timestamp: 0,
    body: hex('17 00 00 00 00 01 64 00 1F FF E1 00 04 67 64 00 1F'),
  },
  { type: FlvTagType.Audio, timestamp: 0, body: hex('AF 00 12 10') },
  { type: FlvTagType.Video, timestamp: 33, body: hex('17 01 00 00 50 00 00 00 02 65 88') },
  { type: FlvTagType.Audio, timestamp: 0x01000017, body: hex('') },
  { type: FlvTagType.Video, timestamp: 0xfffffffe, body: hex('27 01 FF FF CE 00 00 00 01 41') },
];

describe('FlvReader', () => {
  const file = buildFile(SYNTHETIC);
  const expected = readPieces([file]);

  it('reads the header and every tag of a whole file', () => {
    const read = readFlvFile(file);
    expect(read.header).toEqual({ version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    expect(read.previousTagSizeMismatches).toBe(0);
    expect(read.tags.map((t) => [t.type, t.timestamp, t.streamId, t.body])).toEqual(
      SYNTHETIC.map((t) => [t.type, t.timestamp, 0, t.body]),
    );
    // Each tag starts after the previous one's 11-byte header, body and 4-byte PreviousTagSize.
    let offset = 13;
    const offsets = SYNTHETIC.map((t) => {
      const at = offset;
      offset += 11 + t.body.length + 4;
      return at;
    });
    expect(read.tags.map((t) => t.offset)).toEqual(offsets);
    expect(offsets.slice(0, 3)).toEqual([13, 49, 81]);
  });

  it('hands out bodies as views into the pushed chunk when they arrived in one', () => {
    const read = readFlvFile(file);
    for (const tag of read.tags) {
      if (tag.body.length === 0) continue;
      expect(tag.body.buffer).toBe(file.buffer);
      expect(tag.body.byteOffset).toBe(file.byteOffset + tag.offset + 11);
    }
  });

  it('yields identical tags when the file is split at every byte offset', () => {
    for (let cut = 0; cut <= file.length; cut++) {
      expect(readPieces([file.subarray(0, cut), file.subarray(cut)])).toEqual(expected);
    }
  });

  it('yields identical tags when the file arrives one byte at a time', () => {
    const pieces = Array.from({ length: file.length }, (_, i) => file.subarray(i, i + 1));
    expect(readPieces(pieces)).toEqual(expected);
  });

  it('joins a body that straddles chunks into one correct copy', () => {
    const video = SYNTHETIC[1];
    const start = 13 + 11 + SYNTHETIC[0].body.length + 4 + 11;
    const tags = readPieces([
      file.subarray(0, start + 3),
      file.subarray(start + 3, start + 9),
      file.subarray(start + 9),
    ]);
    expect(tags[1].body).toEqual(video.body);
  });

  it('delivers tags as they complete, before the rest of the input arrives', () => {
    const reader = new FlvReader();
    const seen: number[] = [];
    const firstTagEnd = 13 + 11 + SYNTHETIC[0].body.length;
    reader.push(file.subarray(0, firstTagEnd), (tag) => seen.push(tag.type));
    expect(seen).toEqual([FlvTagType.ScriptData]);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('exposes the header as soon as its 9 bytes are in', () => {
    const reader = new FlvReader();
    reader.push(file.subarray(0, 8), () => undefined);
    expect(reader.header).toBeUndefined();
    reader.push(file.subarray(8, 9), () => undefined);
    expect(reader.header?.version).toBe(1);
  });

  it('tolerates and counts wrong PreviousTagSize fields', () => {
    const broken = Buffer.from(file);
    broken.writeUInt32BE(7, 9); // PreviousTagSize0 should be 0
    broken.writeUInt32BE(0, 13 + 11 + SYNTHETIC[0].body.length); // after the script tag
    const read = readFlvFile(broken);
    expect(read.previousTagSizeMismatches).toBe(2);
    expect(read.tags).toHaveLength(SYNTHETIC.length);
  });

  it('skips extra header bytes when DataOffset is larger than 9', () => {
    const header = hex("'FLV' 01 01 00 00 00 0C EE EE EE 00 00 00 00");
    const read = readFlvFile(buildFile(SYNTHETIC.slice(1, 2), header));
    expect(read.header).toEqual({ version: 1, hasAudio: false, hasVideo: true, dataOffset: 12 });
    expect(read.tags[0].body).toEqual(SYNTHETIC[1].body);
    expect(read.tags[0].offset).toBe(16);
  });

  it('accepts a file whose last tag has no PreviousTagSize after it', () => {
    const read = readFlvFile(file.subarray(0, file.length - 4));
    expect(read.tags).toHaveLength(SYNTHETIC.length);
  });

  it('accepts a version other than 1 and passes unknown tag types and stream ids through', () => {
    const header = hex("'FLV' 02 00 00 00 00 09 00 00 00 00");
    const oddTag = Buffer.concat([
      hex('1F 00 00 02 00 00 0A 00 00 00 2A'),
      hex('AB CD'),
      encodeFlvTagTrailer(2),
    ]);
    const read = readFlvFile(Buffer.concat([header, oddTag]));
    expect(read.header.version).toBe(2);
    expect(read.tags).toEqual([
      { type: 0x1f, timestamp: 10, streamId: 42, body: hex('AB CD'), offset: 13 },
    ]);
  });

  it('masks the reserved and filter bits off the TagType', () => {
    const tag = Buffer.concat([
      hex('E8 00 00 01 00 00 00 00 00 00 00'),
      hex('2F'),
      encodeFlvTagTrailer(1),
    ]);
    const read = readFlvFile(Buffer.concat([encodeFlvHeader({ audio: true, video: false }), tag]));
    expect(read.tags[0].type).toBe(FlvTagType.Audio);
  });

  it('delivers the tags that come before a fault in the same push, then throws', () => {
    const reader = new FlvReader({ maxTagSize: 20 });
    const seen: number[] = [];
    expect(() => reader.push(file, (tag) => seen.push(tag.type))).toThrow('over the 20-byte limit');
    expect(seen).toEqual([]);
    const small = buildFile([SYNTHETIC[2], { type: 9, timestamp: 0, body: Buffer.alloc(21) }]);
    const second = new FlvReader({ maxTagSize: 20 });
    expect(() => second.push(small, (tag) => seen.push(tag.type))).toThrow(
      'over the 20-byte limit',
    );
    expect(seen).toEqual([FlvTagType.Audio]);
  });

  it('rejects a bad signature with the bytes it found in the message', () => {
    expect(() => readFlvFile(hex("'RIFF' 00 00 00 00 00 00 00 00"))).toThrow(FlvHeaderInvalidError);
    expect(() => readFlvFile(hex("'RIFF' 00 00 00 00 00 00 00 00"))).toThrow('"RIF"');
  });

  it('accepts a file of just the 9-byte header', () => {
    expect(readFlvFile(file.subarray(0, 9)).tags).toEqual([]);
  });
});
