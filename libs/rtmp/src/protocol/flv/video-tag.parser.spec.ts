import { AvMultitrackType } from './ex-header.constants';
import { expectViewOf, hex } from './testing/hex';
import {
  AvcPacketType,
  VideoCodecId,
  VideoCommand,
  VideoFourCc,
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

describe('parseVideoTag', () => {
  describe('legacy VideoTagHeader', () => {
    it('reads an AVC key frame sequence header (17 00 00 00 00 + AVCDecoderConfigurationRecord)', () => {
      const payload = hex('17 00 00 00 00 01 64 00 1F FF E1');
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({
        kind: 'video',
        isExHeader: false,
        isMultitrack: false,
        isCommandFrame: false,
        frameType: VideoFrameType.KeyFrame,
        packetType: AvcPacketType.SequenceHeader,
        codec: 'h264',
        codecId: VideoCodecId.Avc,
        fourCc: undefined,
        trackId: 0,
        compositionTime: 0,
        isSequenceHeader: true,
        isSequenceEnd: false,
        timestampOffsetNano: 0,
      });
      // A sequence header is not a picture, whatever its FrameType says.
      expect(tag.isKeyFrame).toBe(false);
      expectViewOf(tag.body, payload, 5, 6);
    });

    it('reads an AVC key frame NALU with composition time 0x000050', () => {
      const payload = hex('17 01 00 00 50 00 00 00 02 65 88');
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({
        packetType: AvcPacketType.Nalu,
        compositionTime: 0x50,
        isKeyFrame: true,
        isSequenceHeader: false,
      });
      expectViewOf(tag.body, payload, 5, 6);
    });

    it('reads a negative composition time (SI24 FF FF CE = -50)', () => {
      const tag = single(parseVideoTag(hex('27 01 FF FF CE 00 00 00 01 41')));
      expect(tag.frameType).toBe(VideoFrameType.InterFrame);
      expect(tag.compositionTime).toBe(-50);
      expect(tag.isKeyFrame).toBe(false);
    });

    it('reads the smallest SI24 composition time (80 00 00)', () => {
      expect(single(parseVideoTag(hex('27 01 80 00 00'))).compositionTime).toBe(-0x800000);
    });

    it('reads an AVC end of sequence (17 02 00 00 00)', () => {
      const payload = hex('17 02 00 00 00');
      const tag = single(parseVideoTag(payload));
      expect(tag.isSequenceEnd).toBe(true);
      expect(tag.isKeyFrame).toBe(false);
      expectViewOf(tag.body, payload, 5, 0);
    });

    it('reads legacy HEVC (CodecID 12) in the AVC layout', () => {
      const header = single(parseVideoTag(hex('1C 00 00 00 00 01 01 60')));
      expect(header).toMatchObject({
        codec: 'hevc',
        codecId: VideoCodecId.LegacyHevc,
        isSequenceHeader: true,
      });
      const frame = single(parseVideoTag(hex('2C 01 00 00 28 00 00 00 01 02')));
      expect(frame).toMatchObject({ codec: 'hevc', compositionTime: 40, isKeyFrame: false });
    });

    it('does not take a legacy AVCPacketType 3 or 5 for CodedFramesX or MPEG2TSSequenceStart', () => {
      expect(single(parseVideoTag(hex('17 03 00 00 00'))).isKeyFrame).toBe(false);
      expect(single(parseVideoTag(hex('17 05 00 00 00'))).isSequenceHeader).toBe(false);
    });

    it.each([
      [0x22, 'h263', VideoFrameType.InterFrame, false],
      [0x32, 'h263', VideoFrameType.DisposableInterFrame, false],
      [0x13, 'screen', VideoFrameType.KeyFrame, true],
      [0x14, 'vp6', VideoFrameType.KeyFrame, true],
      [0x25, 'vp6a', VideoFrameType.InterFrame, false],
      [0x16, 'screen2', VideoFrameType.KeyFrame, true],
      [0x44, 'vp6', VideoFrameType.GeneratedKeyFrame, true],
    ])('reads byte %s as %s with the body from byte 1', (first, codec, frameType, isKeyFrame) => {
      const payload = Buffer.from([first, 0x00, 0x11, 0x22]);
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({
        codec,
        codecId: first & 0x0f,
        frameType,
        isKeyFrame,
        packetType: VideoPacketType.CodedFrames,
        compositionTime: 0,
      });
      expectViewOf(tag.body, payload, 1, 3);
    });

    it('passes an unknown CodecID through with codec unknown', () => {
      const payload = hex('1D 01 02 03');
      const tag = single(parseVideoTag(payload));
      expect(tag.codec).toBe('unknown');
      expect(tag.codecId).toBe(13);
      expectViewOf(tag.body, payload, 1, 3);
    });

    it('reads a legacy command frame (57 00: StartSeek), with no body', () => {
      const payload = hex('57 00');
      const tag = command(parseVideoTag(payload));
      expect(tag).toMatchObject({
        isExHeader: false,
        isCommandFrame: true,
        isKeyFrame: false,
        isSequenceHeader: false,
        frameType: VideoFrameType.Command,
        command: VideoCommand.StartSeek,
        codec: 'h264',
        codecId: VideoCodecId.Avc,
        fourCc: undefined,
      });
      expectViewOf(tag.body, payload, 2, 0);
    });
  });

  describe('E-RTMP ExVideoTagHeader', () => {
    it('reads an hvc1 SequenceStart (90 68 76 63 31 ...)', () => {
      const payload = hex('90 68 76 63 31 01 01 60 00');
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({
        isExHeader: true,
        frameType: VideoFrameType.KeyFrame,
        packetType: VideoPacketType.SequenceStart,
        fourCc: VideoFourCc.Hevc,
        codec: 'hevc',
        codecId: undefined,
        compositionTime: 0,
        isSequenceHeader: true,
        isKeyFrame: false,
      });
      expectViewOf(tag.body, payload, 5, 4);
    });

    it('reads hvc1 CodedFrames with an SI24 composition time', () => {
      const payload = hex("91 'hvc1' 00 00 21 00 00 00 02 26 01");
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({ compositionTime: 33, isKeyFrame: true });
      expectViewOf(tag.body, payload, 8, 6);
    });

    it('reads a negative hvc1 composition time on an inter frame', () => {
      const tag = single(parseVideoTag(hex("A1 'hvc1' FF FF F6 AA")));
      expect(tag.frameType).toBe(VideoFrameType.InterFrame);
      expect(tag.compositionTime).toBe(-10);
      expect(tag.isKeyFrame).toBe(false);
    });

    it('reads hvc1 CodedFramesX: composition time 0, body straight after the FourCC', () => {
      const payload = hex("93 'hvc1' 00 00 00 02");
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({
        packetType: VideoPacketType.CodedFramesX,
        compositionTime: 0,
        isKeyFrame: true,
      });
      expectViewOf(tag.body, payload, 5, 4);
    });

    it('reads av01 SequenceStart and CodedFramesX', () => {
      const header = single(parseVideoTag(hex("90 'av01' 81 00 0C 00")));
      expect(header).toMatchObject({ codec: 'av1', isSequenceHeader: true });
      const payload = hex('A3 61 76 30 31 12 00 0A');
      const frame = single(parseVideoTag(payload));
      expect(frame).toMatchObject({
        codec: 'av1',
        fourCc: 'av01',
        packetType: VideoPacketType.CodedFramesX,
        frameType: VideoFrameType.InterFrame,
        compositionTime: 0,
      });
      expectViewOf(frame.body, payload, 5, 3);
    });

    it('reads av01 CodedFrames without a composition time (only avc1/hvc1/vvc1 carry one)', () => {
      const payload = hex("91 'av01' 12 00 0A");
      const tag = single(parseVideoTag(payload));
      expect(tag.compositionTime).toBe(0);
      expectViewOf(tag.body, payload, 5, 3);
    });

    it('reads an av01 MPEG2TSSequenceStart as a sequence header', () => {
      const tag = single(parseVideoTag(hex("95 'av01' 80 04 81 00 0C 00")));
      expect(tag.packetType).toBe(VideoPacketType.Mpeg2TsSequenceStart);
      expect(tag.isSequenceHeader).toBe(true);
    });

    it('reads vp09 SequenceStart and CodedFrames (no composition time)', () => {
      expect(single(parseVideoTag(hex("90 'vp09' 01 00")))).toMatchObject({
        codec: 'vp9',
        isSequenceHeader: true,
      });
      const payload = hex("91 'vp09' 82 49 83");
      const frame = single(parseVideoTag(payload));
      expect(frame).toMatchObject({ codec: 'vp9', isKeyFrame: true, compositionTime: 0 });
      expectViewOf(frame.body, payload, 5, 3);
    });

    it('reads avc1 CodedFrames with a composition time (E-RTMP v2)', () => {
      const payload = hex("91 'avc1' 00 00 50 00 00 00 01 65");
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({ codec: 'h264', fourCc: 'avc1', compositionTime: 80 });
      expectViewOf(tag.body, payload, 8, 5);
    });

    it('reads vp08 CodedFramesX (E-RTMP v2)', () => {
      const tag = single(parseVideoTag(hex("93 'vp08' 10 02 00")));
      expect(tag).toMatchObject({ codec: 'vp8', fourCc: 'vp08', isKeyFrame: true });
    });

    it('reads vvc1 CodedFrames with a composition time (E-RTMP v2)', () => {
      const tag = single(parseVideoTag(hex("A1 'vvc1' 00 00 0A 01")));
      expect(tag).toMatchObject({ codec: 'vvc', compositionTime: 10 });
    });

    it('reads SequenceEnd', () => {
      const tag = single(parseVideoTag(hex("92 'hvc1'")));
      expect(tag.isSequenceEnd).toBe(true);
      expect(tag.isKeyFrame).toBe(false);
    });

    it('reads Metadata in the OBS form (0x84: FrameType 0) with the AMF body as a view', () => {
      // "colorInfo" as an AMF0 string, then the start of an object
      const payload = hex("84 'hvc1' 02 00 09 'colorInfo' 03");
      const tag = single(parseVideoTag(payload));
      expect(tag).toMatchObject({
        frameType: 0,
        packetType: VideoPacketType.Metadata,
        isCommandFrame: false,
        isKeyFrame: false,
        isSequenceHeader: false,
      });
      expectViewOf(tag.body, payload, 5, 13);
    });

    it('reads Metadata in the FFmpeg form (0xD4: FrameType 5) as metadata, not a command', () => {
      const payload = hex("D4 'hvc1' 02 00 09 'colorInfo' 03");
      const tag = single(parseVideoTag(payload));
      expect(tag.frameType).toBe(VideoFrameType.Command);
      expect(tag.packetType).toBe(VideoPacketType.Metadata);
      expect(tag.isCommandFrame).toBe(false);
      expectViewOf(tag.body, payload, 5, 13);
    });

    it('reads a command frame (D1 00: StartSeek): a command byte, no FourCC, no body', () => {
      const payload = hex('D1 00');
      const tag = command(parseVideoTag(payload));
      expect(tag).toMatchObject({
        isExHeader: true,
        isCommandFrame: true,
        command: VideoCommand.StartSeek,
        codec: 'unknown',
        codecId: undefined,
        fourCc: undefined,
        isKeyFrame: false,
      });
      expectViewOf(tag.body, payload, 2, 0);
    });

    it('reads an EndSeek command frame (D0 01)', () => {
      expect(command(parseVideoTag(hex('D0 01'))).command).toBe(VideoCommand.EndSeek);
    });

    it('passes an unknown FourCC through with codec unknown', () => {
      const tag = single(parseVideoTag(hex("91 'xyz1' 01")));
      expect(tag).toMatchObject({ fourCc: 'xyz1', codec: 'unknown', compositionTime: 0 });
      expect(tag.body).toEqual(Buffer.from([0x01]));
    });

    it('passes a reserved packet type (9) through', () => {
      const tag = single(parseVideoTag(hex("99 'hvc1' 01")));
      expect(tag.packetType).toBe(9);
      expect(tag.isKeyFrame).toBe(false);
    });

    describe('Multitrack', () => {
      it('reads OneTrack: shared FourCC, trackId, the composition time inside the track', () => {
        const payload = hex("96 01 'avc1' 01 00 00 10 00 00 00 01 65");
        const tag = multitrack(parseVideoTag(payload));
        expect(tag).toMatchObject({
          isExHeader: true,
          isMultitrack: true,
          isCommandFrame: false,
          frameType: VideoFrameType.KeyFrame,
          multitrackType: AvMultitrackType.OneTrack,
          packetType: VideoPacketType.CodedFrames,
          fourCc: 'avc1',
          isKeyFrame: true,
        });
        expect(tag.tracks).toHaveLength(1);
        expect(tag.tracks[0]).toMatchObject({
          trackId: 1,
          codec: 'h264',
          fourCc: 'avc1',
          compositionTime: 16,
        });
        expectViewOf(tag.tracks[0].body, payload, 10, 5);
      });

      it('reads ManyTracks of av01 CodedFramesX', () => {
        const payload = hex("A6 13 'av01' 00 00 00 02 AA BB 01 00 00 01 CC");
        const tag = multitrack(parseVideoTag(payload));
        expect(tag.multitrackType).toBe(AvMultitrackType.ManyTracks);
        expect(tag.frameType).toBe(VideoFrameType.InterFrame);
        expect(tag.tracks.map((t) => [t.trackId, t.codec, t.compositionTime])).toEqual([
          [0, 'av1', 0],
          [1, 'av1', 0],
        ]);
        expectViewOf(tag.tracks[0].body, payload, 10, 2);
        expectViewOf(tag.tracks[1].body, payload, 16, 1);
      });

      it('reads ManyTracksManyCodecs with per-track FourCCs and composition times', () => {
        const payload = hex(
          "96 21 'avc1' 00 00 00 05 00 00 14 AA BB 'hvc1' 01 00 00 04 FF FF FF CC 'av01' 02 00 00 01 DD",
        );
        const tag = multitrack(parseVideoTag(payload));
        expect(tag.fourCc).toBeUndefined();
        expect(tag.tracks.map((t) => [t.trackId, t.fourCc, t.codec, t.compositionTime])).toEqual([
          [0, 'avc1', 'h264', 20],
          [1, 'hvc1', 'hevc', -1],
          [2, 'av01', 'av1', 0],
        ]);
        expectViewOf(tag.tracks[0].body, payload, 13, 2);
        expectViewOf(tag.tracks[1].body, payload, 26, 1);
        expectViewOf(tag.tracks[2].body, payload, 35, 1);
      });

      it('reads a multitrack SequenceStart as a sequence header, not a key frame', () => {
        const tag = multitrack(parseVideoTag(hex("96 10 'hvc1' 00 00 00 01 01 01 00 00 01 01")));
        expect(tag.isSequenceHeader).toBe(true);
        expect(tag.isKeyFrame).toBe(false);
        expect(tag.tracks).toHaveLength(2);
      });
    });

    describe('ModEx', () => {
      it('reads TimestampOffsetNano, then the real packet type (CodedFramesX)', () => {
        const payload = hex("97 02 0F 42 3F 03 'av01' 12 00");
        const tag = single(parseVideoTag(payload));
        expect(tag).toMatchObject({
          timestampOffsetNano: 999_999,
          packetType: VideoPacketType.CodedFramesX,
          fourCc: 'av01',
          isKeyFrame: true,
        });
        expectViewOf(tag.body, payload, 10, 2);
      });

      it('reads ModEx before the composition time of hvc1 CodedFrames', () => {
        const tag = single(parseVideoTag(hex("97 02 00 00 64 01 'hvc1' 00 00 21 AA")));
        expect(tag.timestampOffsetNano).toBe(100);
        expect(tag.compositionTime).toBe(33);
      });

      it('reads ModEx before a command frame', () => {
        const tag = command(parseVideoTag(hex('D7 02 00 00 07 01 01')));
        expect(tag.timestampOffsetNano).toBe(7);
        expect(tag.command).toBe(VideoCommand.EndSeek);
      });

      it('reads ModEx before a Multitrack packet', () => {
        const tag = multitrack(parseVideoTag(hex("97 02 00 00 01 06 03 'vp09' 05 AA")));
        expect(tag.timestampOffsetNano).toBe(1);
        expect(tag.tracks[0]).toMatchObject({ trackId: 5, codec: 'vp9' });
      });
    });
  });
});
