import { encodeFlvHeader, encodeFlvTagHeader, encodeFlvTagTrailer } from './flv-file.encoder';
import { FlvTagType } from './flv-file.constants';
import { hex } from './testing/hex';

describe('FLV file encoder', () => {
  describe('encodeFlvHeader', () => {
    it('writes "FLV", version 1, the audio and video flags, DataOffset 9 and PreviousTagSize0', () => {
      expect(encodeFlvHeader({ audio: true, video: true })).toEqual(
        hex("'FLV' 01 05 00 00 00 09 00 00 00 00"),
      );
    });

    it.each([
      [true, false, 0x04],
      [false, true, 0x01],
      [false, false, 0x00],
    ])('sets TypeFlags for audio=%s video=%s to %s', (audio, video, flags) => {
      expect(encodeFlvHeader({ audio, video })[4]).toBe(flags);
    });
  });

  describe('encodeFlvTagHeader', () => {
    it('writes type, DataSize, Timestamp, TimestampExtended and StreamID 0', () => {
      expect(encodeFlvTagHeader(FlvTagType.Video, 0x12345678, 0x010203)).toEqual(
        hex('09 01 02 03 34 56 78 12 00 00 00'),
      );
    });

    it('writes the full extended byte (OBS masks it to 7 bits; this writer does not)', () => {
      expect(encodeFlvTagHeader(FlvTagType.Audio, 0xffffffff, 0)).toEqual(
        hex('08 00 00 00 FF FF FF FF 00 00 00'),
      );
    });

    it('takes the timestamp modulo 2^32', () => {
      expect(encodeFlvTagHeader(8, 2 ** 32 + 5, 0).subarray(4, 8)).toEqual(hex('00 00 05 00'));
      expect(encodeFlvTagHeader(8, -1, 0).subarray(4, 8)).toEqual(hex('FF FF FF FF'));
    });

    it('keeps only the 5 TagType bits', () => {
      expect(encodeFlvTagHeader(0xff, 0, 0)[0]).toBe(0x1f);
    });

    it('refuses a negative or fractional data size', () => {
      expect(() => encodeFlvTagHeader(8, 0, -1)).toThrow(RangeError);
      expect(() => encodeFlvTagHeader(8, 0, 1.5)).toThrow(RangeError);
    });
  });

  describe('encodeFlvTagTrailer', () => {
    it('writes PreviousTagSize = 11 + DataSize', () => {
      expect(encodeFlvTagTrailer(0x100)).toEqual(hex('00 00 01 0B'));
      expect(encodeFlvTagTrailer(0xffffff)).toEqual(hex('01 00 00 0A'));
    });
  });
});
