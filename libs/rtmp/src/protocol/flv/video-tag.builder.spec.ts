import fc from 'fast-check';
import { AvMultitrackType } from './ex-header.constants';
import { hex } from './testing/hex';
import { carriesCompositionTime } from './video-codec';
import {
  buildExVideoHeader,
  buildLegacyVideoHeader,
  buildMultitrackVideoPayload,
  buildVideoCommandFrame,
} from './video-tag.builder';
import {
  AvcPacketType,
  VideoCodecId,
  VideoCommand,
  VideoFrameType,
  VideoPacketType,
} from './video-tag.constants';
import { parseVideoTag } from './video-tag.parser';
import type {
  MultitrackVideoTag,
  SingleTrackVideoTag,
  VideoCommandTag,
  VideoTag,
} from './video-tag.types';

function single(tag: VideoTag): SingleTrackVideoTag {
  if (tag.isMultitrack || tag.isCommandFrame) throw new Error('expected a single-track video tag');
  return tag;
}

function command(tag: VideoTag): VideoCommandTag {
  if (!tag.isCommandFrame) throw new Error('expected a command frame');
  return tag;
}

function multitrack(tag: VideoTag): MultitrackVideoTag {
  if (!tag.isMultitrack) throw new Error('expected a multitrack video tag');
  return tag;
}

const ctsFourCcs = ['avc1', 'hvc1', 'vvc1'];
const fourCcArb = fc.oneof(
  fc.constantFrom('avc1', 'hvc1', 'vvc1', 'av01', 'vp08', 'vp09'),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => String.fromCharCode(...bytes)),
);
const bodyArb = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
const nanoArb = fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined });
const si24Arb = fc.integer({ min: -0x800000, max: 0x7fffff });
const exPacketTypeArb = fc.integer({ min: 0, max: 15 }).filter((t) => t !== 6 && t !== 7);
const frameTypeArb = fc.integer({ min: 0, max: 7 });

describe('video tag builders', () => {
  describe('buildLegacyVideoHeader', () => {
    it('builds the AVC key frame sequence header 17 00 00 00 00', () => {
      const header = buildLegacyVideoHeader({
        frameType: VideoFrameType.KeyFrame,
        codecId: VideoCodecId.Avc,
        packetType: AvcPacketType.SequenceHeader,
      });
      expect(header).toEqual(hex('17 00 00 00 00'));
    });

    it('builds an AVC NALU header with a negative composition time', () => {
      const header = buildLegacyVideoHeader({
        frameType: VideoFrameType.InterFrame,
        codecId: VideoCodecId.Avc,
        compositionTime: -50,
      });
      expect(header).toEqual(hex('27 01 FF FF CE'));
    });

    it('builds a legacy HEVC (CodecID 12) header in the AVC layout', () => {
      const header = buildLegacyVideoHeader({
        frameType: VideoFrameType.KeyFrame,
        codecId: VideoCodecId.LegacyHevc,
        compositionTime: 0x50,
      });
      expect(header).toEqual(hex('1C 01 00 00 50'));
    });

    it('builds a one-byte header for other codecs', () => {
      expect(buildLegacyVideoHeader({ frameType: 2, codecId: VideoCodecId.SorensonH263 })).toEqual(
        hex('22'),
      );
    });

    it('refuses a command FrameType, out-of-range fields and AVC fields on other codecs', () => {
      expect(() => buildLegacyVideoHeader({ frameType: 5, codecId: 7 })).toThrow(RangeError);
      expect(() => buildLegacyVideoHeader({ frameType: 8, codecId: 7 })).toThrow(RangeError);
      expect(() => buildLegacyVideoHeader({ frameType: 1, codecId: 16 })).toThrow(RangeError);
      expect(() => buildLegacyVideoHeader({ frameType: 1, codecId: 4, packetType: 1 })).toThrow(
        RangeError,
      );
      expect(() =>
        buildLegacyVideoHeader({ frameType: 1, codecId: 7, compositionTime: 0x800000 }),
      ).toThrow(RangeError);
    });

    it('round-trips any legacy header through the parser', () => {
      fc.assert(
        fc.property(
          frameTypeArb.filter((t) => t !== 5),
          fc.integer({ min: 0, max: 15 }),
          fc.integer({ min: 0, max: 255 }),
          si24Arb,
          bodyArb,
          (frameType, codecId, packetType, compositionTime, body) => {
            const avcLayout = codecId === VideoCodecId.Avc || codecId === VideoCodecId.LegacyHevc;
            const header = buildLegacyVideoHeader(
              avcLayout
                ? { frameType, codecId, packetType, compositionTime }
                : { frameType, codecId },
            );
            const tag = single(parseVideoTag(Buffer.concat([header, body])));
            expect(tag).toMatchObject({
              frameType,
              codecId,
              packetType: avcLayout ? packetType : VideoPacketType.CodedFrames,
              compositionTime: avcLayout ? compositionTime : 0,
            });
            expect(tag.body).toEqual(body);
          },
        ),
      );
    });
  });

  describe('buildExVideoHeader', () => {
    it("builds an hvc1 SequenceStart: 90 'hvc1'", () => {
      const header = buildExVideoHeader({
        frameType: VideoFrameType.KeyFrame,
        packetType: VideoPacketType.SequenceStart,
        fourCc: 'hvc1',
      });
      expect(header).toEqual(hex('90 68 76 63 31'));
    });

    it('builds hvc1 CodedFrames with its SI24 composition time', () => {
      const header = buildExVideoHeader({
        frameType: VideoFrameType.KeyFrame,
        packetType: VideoPacketType.CodedFrames,
        fourCc: 'hvc1',
        compositionTime: 33,
      });
      expect(header).toEqual(hex("91 'hvc1' 00 00 21"));
    });

    it('builds av01 CodedFramesX with no composition time field', () => {
      const header = buildExVideoHeader({
        frameType: VideoFrameType.InterFrame,
        packetType: VideoPacketType.CodedFramesX,
        fourCc: 'av01',
      });
      expect(header).toEqual(hex("A3 'av01'"));
    });

    it('builds Metadata in the OBS (0x84) and FFmpeg (0xD4) forms', () => {
      const metadata = { packetType: VideoPacketType.Metadata, fourCc: 'hvc1' };
      expect(buildExVideoHeader({ frameType: 0, ...metadata })).toEqual(hex("84 'hvc1'"));
      expect(buildExVideoHeader({ frameType: 5, ...metadata })).toEqual(hex("D4 'hvc1'"));
    });

    it('builds a ModEx TimestampOffsetNano before the real packet type', () => {
      const header = buildExVideoHeader({
        frameType: VideoFrameType.KeyFrame,
        packetType: VideoPacketType.CodedFramesX,
        fourCc: 'av01',
        timestampOffsetNano: 999_999,
      });
      expect(header).toEqual(hex("97 02 0F 42 3F 03 'av01'"));
    });

    it('refuses a composition time the packet has no field for', () => {
      expect(() =>
        buildExVideoHeader({ frameType: 1, packetType: 3, fourCc: 'hvc1', compositionTime: 1 }),
      ).toThrow(RangeError);
      expect(() =>
        buildExVideoHeader({ frameType: 1, packetType: 1, fourCc: 'av01', compositionTime: 1 }),
      ).toThrow(RangeError);
    });

    it('refuses a command FrameType outside Metadata, Multitrack/ModEx packet types and a bad offset', () => {
      expect(() => buildExVideoHeader({ frameType: 5, packetType: 1, fourCc: 'hvc1' })).toThrow(
        RangeError,
      );
      expect(() => buildExVideoHeader({ frameType: 1, packetType: 6, fourCc: 'hvc1' })).toThrow(
        RangeError,
      );
      expect(() => buildExVideoHeader({ frameType: 1, packetType: 7, fourCc: 'hvc1' })).toThrow(
        RangeError,
      );
      expect(() =>
        buildExVideoHeader({
          frameType: 1,
          packetType: 1,
          fourCc: 'hvc1',
          timestampOffsetNano: -1,
        }),
      ).toThrow(RangeError);
    });

    it('round-trips any single-track ex-header through the parser', () => {
      fc.assert(
        fc.property(
          frameTypeArb,
          exPacketTypeArb,
          fourCcArb,
          si24Arb,
          nanoArb,
          bodyArb,
          (frameType, packetType, fourCc, cts, timestampOffsetNano, body) => {
            fc.pre(frameType !== VideoFrameType.Command || packetType === VideoPacketType.Metadata);
            const compositionTime = carriesCompositionTime(packetType, fourCc) ? cts : undefined;
            const header = buildExVideoHeader({
              frameType,
              packetType,
              fourCc,
              compositionTime,
              timestampOffsetNano,
            });
            const tag = single(parseVideoTag(Buffer.concat([header, body])));
            expect(tag).toMatchObject({
              isExHeader: true,
              frameType,
              packetType,
              fourCc,
              compositionTime: compositionTime ?? 0,
              timestampOffsetNano: timestampOffsetNano ?? 0,
            });
            expect(tag.body).toEqual(body);
          },
        ),
      );
    });
  });

  describe('buildVideoCommandFrame', () => {
    it('builds the E-RTMP form D1 00 (StartSeek)', () => {
      const frame = buildVideoCommandFrame({ command: VideoCommand.StartSeek });
      expect(frame).toEqual(hex('D1 00'));
      expect(command(parseVideoTag(frame)).isExHeader).toBe(true);
    });

    it('builds the legacy form 57 01 (EndSeek, CodecID 7)', () => {
      const frame = buildVideoCommandFrame({ command: VideoCommand.EndSeek, codecId: 7 });
      expect(frame).toEqual(hex('57 01'));
      expect(command(parseVideoTag(frame))).toMatchObject({ codec: 'h264', command: 1 });
    });

    it('builds a ModEx before the command byte', () => {
      const frame = buildVideoCommandFrame({ command: 1, timestampOffsetNano: 7 });
      expect(frame).toEqual(hex('D7 02 00 00 07 01 01'));
      expect(command(parseVideoTag(frame)).timestampOffsetNano).toBe(7);
    });

    it('refuses Metadata as the packet type and ex-header fields on the legacy form', () => {
      expect(() => buildVideoCommandFrame({ command: 0, packetType: 4 })).toThrow(RangeError);
      expect(() => buildVideoCommandFrame({ command: 0, codecId: 7, packetType: 1 })).toThrow(
        RangeError,
      );
      expect(() => buildVideoCommandFrame({ command: 256 })).toThrow(RangeError);
    });
  });

  describe('buildMultitrackVideoPayload', () => {
    it('builds ManyTracksManyCodecs with per-track composition times counted in the size', () => {
      const parts = buildMultitrackVideoPayload({
        frameType: VideoFrameType.KeyFrame,
        multitrackType: AvMultitrackType.ManyTracksManyCodecs,
        packetType: VideoPacketType.CodedFrames,
        tracks: [
          { trackId: 0, fourCc: 'avc1', compositionTime: 20, body: hex('AA BB') },
          { trackId: 1, fourCc: 'av01', body: hex('CC') },
        ],
      });
      expect(Buffer.concat(parts)).toEqual(
        hex("96 21 'avc1' 00 00 00 05 00 00 14 AA BB 'av01' 01 00 00 01 CC"),
      );
    });

    it('builds OneTrack with no size field and passes the body through', () => {
      const body = hex('00 00 00 01 65');
      const parts = buildMultitrackVideoPayload({
        frameType: VideoFrameType.KeyFrame,
        multitrackType: AvMultitrackType.OneTrack,
        packetType: VideoPacketType.CodedFramesX,
        fourCc: 'hvc1',
        timestampOffsetNano: 3,
        tracks: [{ trackId: 1, body }],
      });
      expect(Buffer.concat(parts)).toEqual(hex("97 02 00 00 03 06 03 'hvc1' 01 00 00 00 01 65"));
      expect(parts[parts.length - 1]).toBe(body);
    });

    it('refuses FrameType 5 even with Metadata, since readers would take it for a command', () => {
      const init = {
        frameType: 5,
        multitrackType: 0,
        packetType: VideoPacketType.Metadata,
        fourCc: 'hvc1',
        tracks: [{ trackId: 1, body: hex('02') }],
      };
      expect(() => buildMultitrackVideoPayload(init)).toThrow(RangeError);
      // What such bytes would mean to a reader:
      expect(parseVideoTag(hex("D6 04 'hvc1' 01 02")).isCommandFrame).toBe(true);
    });

    it('refuses a command frame and impossible shapes', () => {
      const track = { trackId: 0, body: hex('00') };
      expect(() =>
        buildMultitrackVideoPayload({
          frameType: 5,
          multitrackType: 1,
          packetType: 1,
          fourCc: 'hvc1',
          tracks: [track],
        }),
      ).toThrow(RangeError);
      expect(() =>
        buildMultitrackVideoPayload({
          frameType: 1,
          multitrackType: 1,
          packetType: 6,
          fourCc: 'hvc1',
          tracks: [track],
        }),
      ).toThrow(RangeError);
      expect(() =>
        buildMultitrackVideoPayload({
          frameType: 1,
          multitrackType: 2,
          packetType: 1,
          tracks: [track],
        }),
      ).toThrow(RangeError);
    });

    it('round-trips any multitrack message through the parser', () => {
      fc.assert(
        fc.property(
          frameTypeArb,
          fc.integer({ min: 0, max: 2 }),
          exPacketTypeArb,
          fourCcArb,
          nanoArb,
          fc.array(
            fc.record({
              trackId: fc.integer({ min: 0, max: 255 }),
              fourCc: fourCcArb,
              cts: si24Arb,
              body: bodyArb,
            }),
            { minLength: 1, maxLength: 4 },
          ),
          (frameType, multitrackType, packetType, sharedFourCc, timestampOffsetNano, drafts) => {
            fc.pre(frameType !== VideoFrameType.Command);
            const perTrack = multitrackType === AvMultitrackType.ManyTracksManyCodecs;
            const tracks = (
              multitrackType === AvMultitrackType.OneTrack ? drafts.slice(0, 1) : drafts
            ).map((d) => {
              const fourCc = perTrack ? d.fourCc : sharedFourCc;
              return {
                trackId: d.trackId,
                fourCc: perTrack ? d.fourCc : undefined,
                compositionTime: carriesCompositionTime(packetType, fourCc) ? d.cts : undefined,
                body: d.body,
              };
            });
            const parts = buildMultitrackVideoPayload({
              frameType,
              multitrackType,
              packetType,
              fourCc: perTrack ? undefined : sharedFourCc,
              timestampOffsetNano,
              tracks,
            });
            const tag = multitrack(parseVideoTag(Buffer.concat(parts)));
            expect(tag).toMatchObject({ frameType, multitrackType, packetType });
            expect(tag.timestampOffsetNano).toBe(timestampOffsetNano ?? 0);
            expect(tag.tracks.map((t) => [t.trackId, t.fourCc, t.compositionTime, t.body])).toEqual(
              tracks.map((t) => [
                t.trackId,
                t.fourCc ?? sharedFourCc,
                t.compositionTime ?? 0,
                t.body,
              ]),
            );
          },
        ),
      );
    });
  });

  it('marks avc1, hvc1 and vvc1 CodedFrames, and nothing else, as carrying a composition time', () => {
    for (const fourCc of [...ctsFourCcs, 'av01', 'vp08', 'vp09']) {
      for (let packetType = 0; packetType < 16; packetType++) {
        expect(carriesCompositionTime(packetType, fourCc)).toBe(
          packetType === VideoPacketType.CodedFrames && ctsFourCcs.includes(fourCc),
        );
      }
    }
  });
});
