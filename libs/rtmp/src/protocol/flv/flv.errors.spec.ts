import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { parseAudioTag } from './audio-tag.parser';
import { encodeFlvTagHeader, encodeFlvTagTrailer } from './flv-file.encoder';
import { FlvDecodeError } from './flv-decode.error';
import { FlvHeaderInvalidError } from './flv-header-invalid.error';
import { FlvTagTooLargeError } from './flv-tag-too-large.error';
import { FlvReader } from './flv.reader';
import { FlvWriter } from './flv.writer';
import { readFlvFile } from './read-flv-file';
import { hex } from './testing/hex';
import { parseVideoTag } from './video-tag.parser';

type ErrorClass = new (...args: never[]) => RtmpError;

/** Runs `action` and checks the error's class, code and fatality (and that it is an RtmpError). */
function expectRtmpError(
  action: () => unknown,
  errorClass: ErrorClass,
  code: RtmpErrorCode,
  fatal: boolean,
): RtmpError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorClass);
  expect(caught).toBeInstanceOf(RtmpError);
  const error = caught as RtmpError;
  expect(error.code).toBe(code);
  expect(error.fatal).toBe(fatal);
  expect(error.name).toBe(errorClass.name);
  return error;
}

const truncated = (action: () => unknown) =>
  expectRtmpError(action, TruncatedDataError, RtmpErrorCode.Truncated, true);
const malformed = (action: () => unknown) =>
  expectRtmpError(action, FlvDecodeError, RtmpErrorCode.FlvMalformed, false);

const FLV_HEADER = "'FLV' 01 05 00 00 00 09 00 00 00 00";

describe('FLV error rules', () => {
  describe('tag headers', () => {
    it('an AAC header without its AACPacketType is truncated', () => {
      truncated(() => parseAudioTag(hex('AF')));
    });

    it('an ex-header audio FourCC cut short is truncated', () => {
      const error = truncated(() => parseAudioTag(hex("90 'Op'")));
      expect(error.context).toMatchObject({ what: 'FLV audio tag header', offset: 1, needed: 4 });
    });

    it('a ModEx whose data runs past the message is truncated', () => {
      truncated(() => parseAudioTag(hex('97 05 00 00')));
    });

    it('a ModEx without its ModExType/packet type byte is truncated', () => {
      truncated(() => parseVideoTag(hex('97 02 00 00 01')));
    });

    it('a Custom MultichannelConfig with fewer channel bytes than its count is truncated', () => {
      truncated(() => parseAudioTag(hex("94 'Opus' 02 04 00 01")));
    });

    it('an empty video payload is truncated (only audio uses emptiness for silence)', () => {
      truncated(() => parseVideoTag(hex('')));
    });

    it('an AVC header shorter than 5 bytes is truncated', () => {
      const error = truncated(() => parseVideoTag(hex('17 01 00 00')));
      expect(error.context).toMatchObject({ offset: 1, needed: 4, available: 3 });
    });

    it('a command frame without its command byte is truncated', () => {
      truncated(() => parseVideoTag(hex('57')));
      truncated(() => parseVideoTag(hex('D1')));
    });

    it('an hvc1 CodedFrames cut inside its composition time is truncated', () => {
      truncated(() => parseVideoTag(hex("91 'hvc1' 00 00")));
    });

    it('a multitrack track of avc1 CodedFrames too short for its composition time is truncated', () => {
      truncated(() => parseVideoTag(hex("96 11 'avc1' 00 00 00 02 00 00")));
    });

    it('a multitrack message without its first trackId is truncated', () => {
      truncated(() => parseAudioTag(hex("95 00 'Opus'")));
    });

    it('a multitrack track size past the end of the message is malformed', () => {
      const error = malformed(() => parseAudioTag(hex("95 11 'Opus' 00 00 00 05 AA BB")));
      expect(error.context).toMatchObject({ trackId: 0, size: 5, available: 2 });
      malformed(() => parseVideoTag(hex("96 13 'av01' 00 00 00 01 AA 01 00 01 00 BB")));
    });

    it('a Multitrack packet nested in a Multitrack packet is malformed', () => {
      malformed(() => parseAudioTag(hex("95 05 'Opus' 00")));
      malformed(() => parseVideoTag(hex("96 06 'hvc1' 00")));
    });

    it('a reserved AvMultitrackType (3 to 15) is malformed', () => {
      const error = malformed(() => parseVideoTag(hex("96 31 'hvc1' 00")));
      expect(error.context).toMatchObject({ media: 'video', multitrackType: 3 });
      malformed(() => parseAudioTag(hex("95 F1 'Opus' 00")));
    });
  });

  describe('FLV file', () => {
    it('a file not starting with "FLV" has an invalid header', () => {
      expectRtmpError(
        () => readFlvFile(hex("'FLX' 01 05 00 00 00 09 00 00 00 00")),
        FlvHeaderInvalidError,
        RtmpErrorCode.FlvHeaderInvalid,
        true,
      );
    });

    it('a DataOffset pointing inside the 9-byte header is invalid', () => {
      expectRtmpError(
        () => readFlvFile(hex("'FLV' 01 05 00 00 00 08 00 00 00 00")),
        FlvHeaderInvalidError,
        RtmpErrorCode.FlvHeaderInvalid,
        true,
      );
    });

    it('a tag over maxTagSize fails as soon as its header arrives, before its body', () => {
      const reader = new FlvReader({ maxTagSize: 1000 });
      const onTag = jest.fn();
      reader.push(hex(FLV_HEADER), onTag);
      const error = expectRtmpError(
        () => reader.push(encodeFlvTagHeader(9, 0, 1001), onTag),
        FlvTagTooLargeError,
        RtmpErrorCode.FlvTagTooLarge,
        true,
      );
      expect(error.context).toMatchObject({ size: 1001, limit: 1000, offset: 13 });
      expect(onTag).not.toHaveBeenCalled();
    });

    it('a failed reader keeps failing with the same error', () => {
      const reader = new FlvReader();
      let first: unknown;
      try {
        reader.push(hex("'ABC' 01 05 00 00 00 09"), () => undefined);
      } catch (error) {
        first = error;
      }
      expect(first).toBeInstanceOf(FlvHeaderInvalidError);
      expect(() => reader.push(hex(FLV_HEADER), () => undefined)).toThrow(first as Error);
      expect(() => reader.end()).toThrow(first as Error);
      expect(reader.bufferedBytes).toBe(0);
    });

    it('input that ends inside a tag is truncated at end()', () => {
      const reader = new FlvReader();
      reader.push(
        Buffer.concat([hex(FLV_HEADER), encodeFlvTagHeader(8, 0, 10), hex('AF 01')]),
        () => undefined,
      );
      const error = truncated(() => reader.end());
      expect(error.context).toMatchObject({
        what: 'FLV tag body',
        offset: 24,
        needed: 10,
        available: 2,
      });
    });

    it('input that ends inside a tag header or the file header is truncated at end()', () => {
      truncated(() => readFlvFile(hex("'FLV' 01 05")));
      truncated(() => readFlvFile(Buffer.concat([hex(FLV_HEADER), hex('08 00 00')])));
      truncated(() => readFlvFile(hex('')));
      // DataOffset 12 promises three more header bytes; only one arrives.
      truncated(() => readFlvFile(hex("'FLV' 01 05 00 00 00 0C EE")));
    });

    it('input that ends inside a PreviousTagSize is truncated at end()', () => {
      const tag = Buffer.concat([
        encodeFlvTagHeader(8, 0, 1),
        hex('2F'),
        encodeFlvTagTrailer(1).subarray(0, 2),
      ]);
      truncated(() => readFlvFile(Buffer.concat([hex(FLV_HEADER), tag])));
    });

    it('the writer refuses a body the 24-bit DataSize cannot describe', () => {
      const sink = jest.fn();
      const writer = new FlvWriter(sink, { audio: true, video: true });
      expectRtmpError(
        () => writer.writeTag(9, 0, Buffer.alloc(0x1000000)),
        FlvTagTooLargeError,
        RtmpErrorCode.FlvTagTooLarge,
        true,
      );
      expect(sink).not.toHaveBeenCalled();
    });
  });
});
