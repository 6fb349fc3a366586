import fc from 'fast-check';
import { AudioChannelOrder } from './audio-channel.constants';
import {
  buildExAudioHeader,
  buildLegacyAudioHeader,
  buildMultitrackAudioPayload,
  type AudioMultichannelConfigInit,
} from './audio-tag.builder';
import { AacPacketType, AudioPacketType, SoundFormat } from './audio-tag.constants';
import { parseAudioTag } from './audio-tag.parser';
import type { AudioTag, MultitrackAudioTag, SingleTrackAudioTag } from './audio-tag.types';
import { AvMultitrackType } from './ex-header.constants';
import { hex } from './testing/hex';

function single(tag: AudioTag): SingleTrackAudioTag {
  if (tag.isSilence || tag.isMultitrack) throw new Error('expected a single-track audio tag');
  return tag;
}

function multitrack(tag: AudioTag): MultitrackAudioTag {
  if (!tag.isMultitrack) throw new Error('expected a multitrack audio tag');
  return tag;
}

const fourCcArb = fc
  .uint8Array({ minLength: 4, maxLength: 4 })
  .map((bytes) => String.fromCharCode(...bytes));
const bodyArb = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
const nanoArb = fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined });
const exPacketTypeArb = fc.integer({ min: 0, max: 15 }).filter((t) => t !== 5 && t !== 7);
const multichannelArb: fc.Arbitrary<AudioMultichannelConfigInit> = fc.oneof(
  fc.record({ channelOrder: fc.constant(0), channelCount: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    channelOrder: fc.constant(1),
    channelCount: fc.integer({ min: 0, max: 255 }),
    channelMask: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc
    .uint8Array({ maxLength: 8 })
    .map((map) => ({ channelOrder: 2, channelCount: map.length, channelMapping: [...map] })),
);

describe('audio tag builders', () => {
  describe('buildLegacyAudioHeader', () => {
    it('builds the AAC sequence header AF 00 (AAC defaults: 44 kHz, 16-bit, stereo)', () => {
      const header = buildLegacyAudioHeader({
        soundFormat: SoundFormat.Aac,
        packetType: AacPacketType.SequenceHeader,
      });
      expect(header).toEqual(hex('AF 00'));
      const tag = single(parseAudioTag(Buffer.concat([header, hex('12 10')])));
      expect(tag.isSequenceHeader).toBe(true);
      expect(tag.body).toEqual(hex('12 10'));
    });

    it('builds a raw AAC header AF 01 by default', () => {
      expect(buildLegacyAudioHeader({ soundFormat: SoundFormat.Aac })).toEqual(hex('AF 01'));
    });

    it('builds a one-byte MP3 header 2F', () => {
      expect(buildLegacyAudioHeader({ soundFormat: SoundFormat.Mp3 })).toEqual(hex('2F'));
    });

    it('packs every flag field', () => {
      const header = buildLegacyAudioHeader({
        soundFormat: SoundFormat.Nellymoser8kMono,
        soundRate: 1,
        soundSize: 0,
        soundType: 0,
      });
      expect(header).toEqual(hex('54'));
    });

    it('refuses SoundFormat 9, which needs buildExAudioHeader', () => {
      expect(() => buildLegacyAudioHeader({ soundFormat: SoundFormat.ExHeader })).toThrow(
        RangeError,
      );
    });

    it('refuses a packet type on a format other than AAC', () => {
      expect(() => buildLegacyAudioHeader({ soundFormat: 2, packetType: 1 })).toThrow(RangeError);
    });

    it('refuses out-of-range fields', () => {
      expect(() => buildLegacyAudioHeader({ soundFormat: 16 })).toThrow(RangeError);
      expect(() => buildLegacyAudioHeader({ soundFormat: 2, soundRate: 4 })).toThrow(RangeError);
      expect(() => buildLegacyAudioHeader({ soundFormat: 2, soundSize: 2 })).toThrow(RangeError);
      expect(() => buildLegacyAudioHeader({ soundFormat: 2, soundType: -1 })).toThrow(RangeError);
      expect(() => buildLegacyAudioHeader({ soundFormat: 10, packetType: 256 })).toThrow(
        RangeError,
      );
    });

    it('round-trips any legacy header through the parser', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 15 }).filter((f) => f !== 9),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 1 }),
          fc.integer({ min: 0, max: 1 }),
          fc.integer({ min: 0, max: 255 }),
          bodyArb,
          (soundFormat, soundRate, soundSize, soundType, aacType, body) => {
            const isAac = soundFormat === SoundFormat.Aac;
            const header = buildLegacyAudioHeader({
              soundFormat,
              soundRate,
              soundSize,
              soundType,
              packetType: isAac ? aacType : undefined,
            });
            const tag = single(parseAudioTag(Buffer.concat([header, body])));
            expect(tag).toMatchObject({
              soundFormat,
              soundRate,
              soundSize,
              soundType,
              packetType: isAac ? aacType : AudioPacketType.CodedFrames,
            });
            expect(tag.body).toEqual(body);
          },
        ),
      );
    });
  });

  describe('buildExAudioHeader', () => {
    it("builds an Opus SequenceStart: 90 'Opus'", () => {
      expect(
        buildExAudioHeader({ packetType: AudioPacketType.SequenceStart, fourCc: 'Opus' }),
      ).toEqual(hex("90 'Opus'"));
    });

    it('builds a ModEx TimestampOffsetNano before the real packet type', () => {
      const header = buildExAudioHeader({
        packetType: AudioPacketType.CodedFrames,
        fourCc: 'mp4a',
        timestampOffsetNano: 500,
      });
      expect(header).toEqual(hex("97 02 00 01 F4 01 'mp4a'"));
    });

    it('builds a Native MultichannelConfig', () => {
      const header = buildExAudioHeader({
        packetType: AudioPacketType.MultichannelConfig,
        fourCc: 'Opus',
        multichannelConfig: {
          channelOrder: AudioChannelOrder.Native,
          channelCount: 6,
          channelMask: 0x3f,
        },
      });
      expect(header).toEqual(hex("94 'Opus' 01 06 00 00 00 3F"));
    });

    it('builds a Custom MultichannelConfig', () => {
      const header = buildExAudioHeader({
        packetType: AudioPacketType.MultichannelConfig,
        fourCc: 'Opus',
        multichannelConfig: {
          channelOrder: AudioChannelOrder.Custom,
          channelCount: 2,
          channelMapping: [1, 0],
        },
      });
      expect(header).toEqual(hex("94 'Opus' 02 02 01 00"));
    });

    it('refuses inconsistent MultichannelConfig input', () => {
      const build = (packetType: number, multichannelConfig?: AudioMultichannelConfigInit) => () =>
        buildExAudioHeader({ packetType, fourCc: 'Opus', multichannelConfig });
      expect(build(AudioPacketType.MultichannelConfig)).toThrow(RangeError);
      expect(build(AudioPacketType.CodedFrames, { channelOrder: 0, channelCount: 1 })).toThrow(
        RangeError,
      );
      expect(build(4, { channelOrder: 1, channelCount: 2 })).toThrow(RangeError);
      expect(build(4, { channelOrder: 2, channelCount: 2, channelMapping: [0] })).toThrow(
        RangeError,
      );
      expect(build(4, { channelOrder: 0, channelCount: 2, channelMask: 3 })).toThrow(RangeError);
      expect(
        build(4, { channelOrder: 1, channelCount: 1, channelMask: 1, channelMapping: [0] }),
      ).toThrow(RangeError);
    });

    it('refuses Multitrack and ModEx as the packet type, a bad FourCC and a bad offset', () => {
      expect(() => buildExAudioHeader({ packetType: 5, fourCc: 'Opus' })).toThrow(RangeError);
      expect(() => buildExAudioHeader({ packetType: 7, fourCc: 'Opus' })).toThrow(RangeError);
      expect(() => buildExAudioHeader({ packetType: 1, fourCc: 'Opu' })).toThrow(RangeError);
      expect(() => buildExAudioHeader({ packetType: 1, fourCc: 'Opu\u0100' })).toThrow(RangeError);
      expect(() =>
        buildExAudioHeader({ packetType: 1, fourCc: 'Opus', timestampOffsetNano: 1_000_000 }),
      ).toThrow(RangeError);
    });

    it('round-trips any single-track ex-header through the parser', () => {
      fc.assert(
        fc.property(
          exPacketTypeArb,
          fourCcArb,
          nanoArb,
          multichannelArb,
          bodyArb,
          (packetType, fourCc, timestampOffsetNano, config, body) => {
            const multichannelConfig =
              packetType === AudioPacketType.MultichannelConfig ? config : undefined;
            const header = buildExAudioHeader({
              packetType,
              fourCc,
              timestampOffsetNano,
              multichannelConfig,
            });
            const tag = single(parseAudioTag(Buffer.concat([header, body])));
            expect(tag.packetType).toBe(packetType);
            expect(tag.fourCc).toBe(fourCc);
            expect(tag.timestampOffsetNano).toBe(timestampOffsetNano ?? 0);
            if (multichannelConfig) {
              expect(tag.multichannelConfig).toMatchObject(multichannelConfig);
            }
            expect(tag.body).toEqual(body);
          },
        ),
      );
    });
  });

  describe('buildMultitrackAudioPayload', () => {
    it('builds ManyTracksManyCodecs byte for byte, bodies passed through as given', () => {
      const opus = hex('AA BB');
      const aac = hex('CC');
      const parts = buildMultitrackAudioPayload({
        multitrackType: AvMultitrackType.ManyTracksManyCodecs,
        packetType: AudioPacketType.CodedFrames,
        tracks: [
          { trackId: 0, fourCc: 'Opus', body: opus },
          { trackId: 1, fourCc: 'mp4a', body: aac },
        ],
      });
      expect(Buffer.concat(parts)).toEqual(
        hex("95 21 'Opus' 00 00 00 02 AA BB 'mp4a' 01 00 00 01 CC"),
      );
      expect(parts).toContain(opus);
      expect(parts).toContain(aac);
    });

    it('builds OneTrack with no size field', () => {
      const parts = buildMultitrackAudioPayload({
        multitrackType: AvMultitrackType.OneTrack,
        packetType: AudioPacketType.SequenceStart,
        fourCc: 'mp4a',
        tracks: [{ trackId: 3, body: hex('12 10') }],
      });
      expect(Buffer.concat(parts)).toEqual(hex("95 00 'mp4a' 03 12 10"));
    });

    it('counts a per-track MultichannelConfig in the track size', () => {
      const parts = buildMultitrackAudioPayload({
        multitrackType: AvMultitrackType.ManyTracks,
        packetType: AudioPacketType.MultichannelConfig,
        fourCc: 'Opus',
        timestampOffsetNano: 1,
        tracks: [
          { trackId: 0, multichannelConfig: { channelOrder: 0, channelCount: 2 }, body: hex('') },
        ],
      });
      expect(Buffer.concat(parts)).toEqual(hex("97 02 00 00 01 05 14 'Opus' 00 00 00 02 00 02"));
    });

    it('refuses impossible shapes', () => {
      const track = { trackId: 0, body: hex('00') };
      const build = (init: Parameters<typeof buildMultitrackAudioPayload>[0]) => () =>
        buildMultitrackAudioPayload(init);
      expect(build({ multitrackType: 0, packetType: 1, fourCc: 'Opus', tracks: [] })).toThrow(
        RangeError,
      );
      expect(
        build({ multitrackType: 0, packetType: 1, fourCc: 'Opus', tracks: [track, track] }),
      ).toThrow(RangeError);
      expect(build({ multitrackType: 2, packetType: 1, fourCc: 'Opus', tracks: [track] })).toThrow(
        RangeError,
      );
      expect(build({ multitrackType: 1, packetType: 1, tracks: [track] })).toThrow(RangeError);
      expect(
        build({
          multitrackType: 1,
          packetType: 1,
          fourCc: 'Opus',
          tracks: [{ ...track, fourCc: 'Opus' }],
        }),
      ).toThrow(RangeError);
      expect(build({ multitrackType: 3, packetType: 1, fourCc: 'Opus', tracks: [track] })).toThrow(
        RangeError,
      );
      expect(build({ multitrackType: 1, packetType: 5, fourCc: 'Opus', tracks: [track] })).toThrow(
        RangeError,
      );
      expect(
        build({
          multitrackType: 1,
          packetType: 1,
          fourCc: 'Opus',
          tracks: [{ ...track, trackId: 256 }],
        }),
      ).toThrow(RangeError);
    });

    it('round-trips any multitrack message through the parser', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 }),
          exPacketTypeArb,
          fourCcArb,
          nanoArb,
          fc.array(
            fc.record({
              trackId: fc.integer({ min: 0, max: 255 }),
              fourCc: fourCcArb,
              config: multichannelArb,
              body: bodyArb,
            }),
            { minLength: 1, maxLength: 4 },
          ),
          (multitrackType, packetType, sharedFourCc, timestampOffsetNano, drafts) => {
            const perTrack = multitrackType === AvMultitrackType.ManyTracksManyCodecs;
            const withConfig = packetType === AudioPacketType.MultichannelConfig;
            const tracks = (
              multitrackType === AvMultitrackType.OneTrack ? drafts.slice(0, 1) : drafts
            ).map((d) => ({
              trackId: d.trackId,
              fourCc: perTrack ? d.fourCc : undefined,
              multichannelConfig: withConfig ? d.config : undefined,
              body: d.body,
            }));
            const parts = buildMultitrackAudioPayload({
              multitrackType,
              packetType,
              fourCc: perTrack ? undefined : sharedFourCc,
              timestampOffsetNano,
              tracks,
            });
            const tag = multitrack(parseAudioTag(Buffer.concat(parts)));
            expect(tag.multitrackType).toBe(multitrackType);
            expect(tag.packetType).toBe(packetType);
            expect(tag.timestampOffsetNano).toBe(timestampOffsetNano ?? 0);
            expect(tag.tracks).toHaveLength(tracks.length);
            tag.tracks.forEach((parsed, i) => {
              expect(parsed.trackId).toBe(tracks[i].trackId);
              expect(parsed.fourCc).toBe(tracks[i].fourCc ?? sharedFourCc);
              expect(parsed.body).toEqual(tracks[i].body);
              if (withConfig)
                expect(parsed.multichannelConfig).toMatchObject(tracks[i].multichannelConfig!);
            });
          },
        ),
      );
    });
  });
});
