import { FlvTagType } from './flv-file.constants';
import { FlvWriter } from './flv.writer';
import { readFlvFile } from './read-flv-file';
import { hex } from './testing/hex';

function collectingWriter(flags = { audio: true, video: true }) {
  const chunks: Buffer[] = [];
  const writer = new FlvWriter((chunk) => chunks.push(chunk), flags);
  return { writer, chunks, file: () => Buffer.concat(chunks) };
}

describe('FlvWriter', () => {
  it('writes the header before the first tag, once', () => {
    const { writer, chunks } = collectingWriter();
    writer.writeTag(FlvTagType.Audio, 0, hex('AF 00 12 10'));
    writer.writeTag(FlvTagType.Audio, 23, hex('AF 01 21'));
    expect(chunks[0]).toEqual(hex("'FLV' 01 05 00 00 00 09 00 00 00 00"));
    expect(chunks.filter((c) => c.subarray(0, 3).toString('latin1') === 'FLV')).toHaveLength(1);
  });

  it('writes tag header, body and PreviousTagSize as separate chunks, the body as the same object', () => {
    const { writer, chunks } = collectingWriter();
    writer.writeHeader();
    const body = hex('17 01 00 00 50 AA');
    writer.writeTag(FlvTagType.Video, 0x01020304, body);
    expect(chunks.slice(1)).toEqual([
      hex('09 00 00 06 02 03 04 01 00 00 00'),
      body,
      hex('00 00 00 11'),
    ]);
    expect(chunks[2]).toBe(body);
  });

  it('writes a header-only file when asked, which reads back with no tags', () => {
    const { writer, file } = collectingWriter({ audio: false, video: true });
    writer.writeHeader();
    writer.writeHeader();
    const read = readFlvFile(file());
    expect(read.header).toEqual({ version: 1, hasAudio: false, hasVideo: true, dataOffset: 9 });
    expect(read.tags).toEqual([]);
  });

  it('counts the bytes it hands to the sink', () => {
    const { writer, file } = collectingWriter();
    writer.writeTag(FlvTagType.ScriptData, 0, hex('02 00 0A'));
    expect(writer.bytesWritten).toBe(13 + 11 + 3 + 4);
    expect(writer.bytesWritten).toBe(file().length);
  });

  it('writes tags that read back identically, extended timestamps included', () => {
    const { writer, file } = collectingWriter();
    const tags = [
      {
        type: FlvTagType.ScriptData,
        timestamp: 0,
        body: hex("02 00 0A 'onMetaData' 08 00 00 00 00 00 00 09"),
      },
      { type: FlvTagType.Video, timestamp: 0, body: hex('17 00 00 00 00 01 64 00 1F') },
      { type: FlvTagType.Audio, timestamp: 0x00ffffff, body: hex('AF 01 21') },
      { type: FlvTagType.Video, timestamp: 0x01000000, body: hex('27 01 00 00 00') },
      { type: FlvTagType.Audio, timestamp: 0xffffffff, body: hex('') },
    ];
    for (const tag of tags) writer.writeTag(tag.type, tag.timestamp, tag.body);
    const read = readFlvFile(file());
    expect(read.previousTagSizeMismatches).toBe(0);
    expect(
      read.tags.map(({ type, timestamp, body, streamId }) => ({ type, timestamp, body, streamId })),
    ).toEqual(tags.map((tag) => ({ ...tag, streamId: 0 })));
  });
});
