import { ByteReader } from '../buffer/byte-reader';
import { ByteWriter } from '../buffer/byte-writer';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { AmfUnencodableError } from './amf-unencodable.error';
import { readU29, writeU29 } from './amf3-u29';
import { expectRtmpError } from './testing/expect-rtmp-error';
import { hex } from './testing/hex';

describe('AMF3 U29', () => {
  // Each boundary of the 1-, 2-, 3- and 4-byte forms (AMF3 §1.3.1).
  it.each([
    [0x00, '00'],
    [0x7f, '7f'],
    [0x80, '8100'],
    [0x3fff, 'ff7f'],
    [0x4000, '818000'],
    [0x1fffff, 'ffff7f'],
    [0x200000, '80c08000'],
    [0x1fffffff, 'ffffffff'],
  ])('%i is %s', (value, bytes) => {
    const writer = new ByteWriter();
    writeU29(writer, value);
    expect(writer.toBuffer().toString('hex')).toBe(bytes);
    const reader = new ByteReader(hex(bytes), 'test');
    expect(readU29(reader)).toBe(value);
    expect(reader.atEnd).toBe(true);
  });

  it('stops after the fourth byte even when its high bit is set', () => {
    const reader = new ByteReader(hex('ff ff ff ff ff'), 'test');
    expect(readU29(reader)).toBe(0x1fffffff);
    expect(reader.remaining).toBe(1);
  });

  it('a U29 cut short is truncated', () => {
    expectRtmpError(
      () => readU29(new ByteReader(hex('80 80'), 'test')),
      TruncatedDataError,
      RtmpErrorCode.Truncated,
      true,
    );
  });

  it('refuses to write a value above 29 bits', () => {
    expectRtmpError(
      () => writeU29(new ByteWriter(), 0x20000000),
      AmfUnencodableError,
      RtmpErrorCode.AmfUnencodable,
      false,
    );
  });
});
