import { AudioChannelMask, AudioChannelOrder } from './audio-channel.constants';
import {
  AudioFourCc,
  AudioPacketType,
  SoundFormat,
  SoundRate,
  SoundSize,
  SoundType,
} from './audio-tag.constants';
import { parseAudioTag } from './audio-tag.parser';
import type { AudioTag, MultitrackAudioTag, SingleTrackAudioTag } from './audio-tag.types';
import { AvMultitrackType } from './ex-header.constants';
import { expectViewOf, hex } from './testing/hex';

function single(tag: AudioTag): SingleTrackAudioTag {
  if (tag.isSilence || tag.isMultitrack) throw new Error('expected a single-track audio tag');
  return tag;
}

function multitrack(tag: AudioTag): MultitrackAudioTag {
  if (!tag.isMultitrack) throw new Error('expected a multitrack audio tag');
  return tag;
}

describe('parseAudioTag', () => {
  describe('legacy AudioTagHeader', () => {
    it('reads an AAC sequence header (AF 00 + AudioSpecificConfig)', () => {
      const payload = hex('AF 00 12 10');
      const tag = single(parseAudioTag(payload));
      expect(tag).toMatchObject({
        kind: 'audio',
        isExHeader: false,
        isSilence: false,
        isMultitrack: false,
        isSequenceHeader: true,
        isSequenceEnd: false,
        soundFormat: SoundFormat.Aac,
        soundRate: SoundRate.Rate44kHz,
        soundSize: SoundSize.Bits16,
        soundType: SoundType.Stereo,
        packetType: AudioPacketType.SequenceStart,
        codec: 'aac',
        fourCc: undefined,
        trackId: 0,
        multichannelConfig: undefined,
        timestampOffsetNano: 0,
      });
      expectViewOf(tag.body, payload, 2, 2);
      expect(tag.body).toEqual(Buffer.from([0x12, 0x10]));
    });

    it('reads a raw AAC frame (AF 01)', () => {
      const payload = hex('AF 01 21 10 04 60 8C 1C');
      const tag = single(parseAudioTag(payload));
      expect(tag.isSequenceHeader).toBe(false);
      expect(tag.packetType).toBe(AudioPacketType.CodedFrames);
      expect(tag.codec).toBe('aac');
      expectViewOf(tag.body, payload, 2, 6);
    });

    it('reads MP3 (2F): every bit of the flags byte, body from byte 1', () => {
      const payload = hex('2F FF FB 90 64');
      const tag = single(parseAudioTag(payload));
      expect(tag).toMatchObject({
        soundFormat: SoundFormat.Mp3,
        soundRate: SoundRate.Rate44kHz,
        soundSize: SoundSize.Bits16,
        soundType: SoundType.Stereo,
        packetType: AudioPacketType.CodedFrames,
        codec: 'mp3',
        isSequenceHeader: false,
      });
      expectViewOf(tag.body, payload, 1, 4);
    });

    it('splits the flags byte of 8-bit mono 5.5 kHz PCM (30)', () => {
      const tag = single(parseAudioTag(hex('30 80 80')));
      expect(tag).toMatchObject({
        soundFormat: SoundFormat.LinearPcmLittleEndian,
        soundRate: SoundRate.Rate5_5kHz,
        soundSize: SoundSize.Bits8,
        soundType: SoundType.Mono,
        codec: 'pcm',
      });
    });

    it.each([
      [0x06, 'pcm'],
      [0x16, 'adpcm'],
      [0x46, 'nellymoser'],
      [0x56, 'nellymoser'],
      [0x66, 'nellymoser'],
      [0x76, 'g711-alaw'],
      [0x86, 'g711-mulaw'],
      [0xb6, 'speex'],
      [0xe6, 'mp3'],
      [0xf6, 'device-specific'],
    ])('names the codec of SoundFormat byte %s as %s', (first, codec) => {
      const tag = single(parseAudioTag(Buffer.from([first, 0x01])));
      expect(tag.codec).toBe(codec);
      expect(tag.soundFormat).toBe(first >> 4);
    });

    it('passes reserved SoundFormats (12, 13) through as unknown, not as errors', () => {
      const payload = hex('C6 01 02');
      const tag = single(parseAudioTag(payload));
      expect(tag.soundFormat).toBe(12);
      expect(tag.codec).toBe('unknown');
      expectViewOf(tag.body, payload, 1, 2);
    });

    it('accepts a non-AAC header with no data after it (empty body view)', () => {
      const payload = hex('2F');
      const tag = single(parseAudioTag(payload));
      expectViewOf(tag.body, payload, 1, 0);
    });
  });

  describe('silence', () => {
    it('returns a silence tag, not an error, for an empty payload', () => {
      const payload = hex('');
      const tag = parseAudioTag(payload);
      expect(tag).toEqual({
        kind: 'audio',
        isExHeader: false,
        isSilence: true,
        isMultitrack: false,
        isSequenceHeader: false,
        isSequenceEnd: false,
        timestampOffsetNano: 0,
        body: payload,
      });
    });
  });

  describe('E-RTMP v2 ExAudioTagHeader', () => {
    it.each([
      ['Opus', 'opus', '4F 70 75 73 48 65 61 64 01 02 38 01'],
      ['fLaC', 'flac', '66 4C 61 43 00 00 00 22'],
      ['mp4a', 'aac', '12 10'],
      ['ac-3', 'ac3', '0B 77'],
      ['ec-3', 'eac3', '0B 77'],
      ['.mp3', 'mp3', 'FF FB'],
    ])('reads a %s SequenceStart (90 FourCC ...)', (fourCc, codec, data) => {
      const payload = hex(`90 '${fourCc}' ${data}`);
      const tag = single(parseAudioTag(payload));
      expect(tag).toMatchObject({
        isExHeader: true,
        isSequenceHeader: true,
        isSequenceEnd: false,
        soundFormat: SoundFormat.ExHeader,
        soundRate: undefined,
        soundSize: undefined,
        soundType: undefined,
        packetType: AudioPacketType.SequenceStart,
        fourCc,
        codec,
        trackId: 0,
      });
      expectViewOf(tag.body, payload, 5, payload.length - 5);
    });

    it.each([
      ['Opus', 'opus'],
      ['fLaC', 'flac'],
      ['mp4a', 'aac'],
      ['ac-3', 'ac3'],
      ['ec-3', 'eac3'],
      ['.mp3', 'mp3'],
    ])('reads %s CodedFrames (91 FourCC ...)', (fourCc, codec) => {
      const payload = hex(`91 '${fourCc}' 0A 0B 0C`);
      const tag = single(parseAudioTag(payload));
      expect(tag).toMatchObject({
        isSequenceHeader: false,
        packetType: AudioPacketType.CodedFrames,
        fourCc,
        codec,
      });
      expectViewOf(tag.body, payload, 5, 3);
    });

    it('hands out the shared FourCC constant for a known codec', () => {
      const tag = single(parseAudioTag(hex("91 'Opus' 00")));
      expect(tag.fourCc).toBe(AudioFourCc.Opus);
    });

    it('reads SequenceEnd (92)', () => {
      const tag = single(parseAudioTag(hex("92 'mp4a'")));
      expect(tag.isSequenceEnd).toBe(true);
      expect(tag.isSequenceHeader).toBe(false);
      expect(tag.body.length).toBe(0);
    });

    it('passes an unknown FourCC through with codec unknown', () => {
      const payload = hex("91 'xyz1' 01 02");
      const tag = single(parseAudioTag(payload));
      expect(tag.fourCc).toBe('xyz1');
      expect(tag.codec).toBe('unknown');
      expectViewOf(tag.body, payload, 5, 2);
    });

    it('passes a reserved packet type (3) through, reading the FourCC the spec always sends', () => {
      const payload = hex("93 'Opus' 01");
      const tag = single(parseAudioTag(payload));
      expect(tag.packetType).toBe(3);
      expect(tag.fourCc).toBe('Opus');
      expectViewOf(tag.body, payload, 5, 1);
    });

    describe('MultichannelConfig', () => {
      it('reads Native order with a channel mask (5.1)', () => {
        const payload = hex("94 'Opus' 01 06 00 00 00 3F");
        const tag = single(parseAudioTag(payload));
        const mask =
          AudioChannelMask.FrontLeft |
          AudioChannelMask.FrontRight |
          AudioChannelMask.FrontCenter |
          AudioChannelMask.LowFrequency1 |
          AudioChannelMask.BackLeft |
          AudioChannelMask.BackRight;
        expect(tag.packetType).toBe(AudioPacketType.MultichannelConfig);
        expect(tag.multichannelConfig).toEqual({
          channelOrder: AudioChannelOrder.Native,
          channelCount: 6,
          channelMask: mask,
          channelMapping: undefined,
        });
        expect(tag.isSequenceHeader).toBe(false);
        expectViewOf(tag.body, payload, 11, 0);
      });

      it('reads Custom order with one speaker per channel', () => {
        const tag = single(parseAudioTag(hex("94 'Opus' 02 03 01 00 FE")));
        expect(tag.multichannelConfig).toEqual({
          channelOrder: AudioChannelOrder.Custom,
          channelCount: 3,
          channelMask: undefined,
          channelMapping: [1, 0, 0xfe],
        });
      });

      it('reads Unspecified order as a bare channel count', () => {
        const payload = hex("94 'Opus' 00 02");
        const tag = single(parseAudioTag(payload));
        expect(tag.multichannelConfig).toEqual({
          channelOrder: AudioChannelOrder.Unspecified,
          channelCount: 2,
          channelMask: undefined,
          channelMapping: undefined,
        });
        expectViewOf(tag.body, payload, 7, 0);
      });

      it('leaves what follows a reserved channel order in the body', () => {
        const payload = hex("94 'Opus' 07 02 AA");
        const tag = single(parseAudioTag(payload));
        expect(tag.multichannelConfig?.channelOrder).toBe(7);
        expectViewOf(tag.body, payload, 7, 1);
      });
    });

    describe('Multitrack', () => {
      it('reads OneTrack: shared FourCC, a trackId, no size, data to the end', () => {
        const payload = hex("95 01 'Opus' 02 AA BB");
        const tag = multitrack(parseAudioTag(payload));
        expect(tag).toMatchObject({
          isExHeader: true,
          isSilence: false,
          isMultitrack: true,
          multitrackType: AvMultitrackType.OneTrack,
          packetType: AudioPacketType.CodedFrames,
          fourCc: 'Opus',
          soundFormat: SoundFormat.ExHeader,
          isSequenceHeader: false,
        });
        expect(tag.tracks).toHaveLength(1);
        expect(tag.tracks[0]).toMatchObject({ trackId: 2, codec: 'opus', fourCc: 'Opus' });
        expectViewOf(tag.tracks[0].body, payload, 7, 2);
      });

      it('reads ManyTracks: shared FourCC, trackId and UI24 size per track', () => {
        const payload = hex("95 10 'mp4a' 00 00 00 02 12 10 01 00 00 01 13");
        const tag = multitrack(parseAudioTag(payload));
        expect(tag.multitrackType).toBe(AvMultitrackType.ManyTracks);
        expect(tag.isSequenceHeader).toBe(true);
        expect(tag.tracks.map((t) => [t.trackId, t.codec, t.fourCc])).toEqual([
          [0, 'aac', 'mp4a'],
          [1, 'aac', 'mp4a'],
        ]);
        expectViewOf(tag.tracks[0].body, payload, 10, 2);
        expectViewOf(tag.tracks[1].body, payload, 16, 1);
      });

      it('reads ManyTracksManyCodecs: FourCC, trackId and size per track', () => {
        const payload = hex("95 21 'Opus' 00 00 00 02 AA BB 'mp4a' 01 00 00 01 CC");
        const tag = multitrack(parseAudioTag(payload));
        expect(tag.multitrackType).toBe(AvMultitrackType.ManyTracksManyCodecs);
        expect(tag.fourCc).toBeUndefined();
        expect(tag.tracks.map((t) => [t.trackId, t.codec, t.fourCc])).toEqual([
          [0, 'opus', 'Opus'],
          [1, 'aac', 'mp4a'],
        ]);
        expectViewOf(tag.tracks[0].body, payload, 10, 2);
        expectViewOf(tag.tracks[1].body, payload, 20, 1);
      });

      it('accepts an empty track (size 0)', () => {
        const payload = hex("95 11 'Opus' 00 00 00 00 01 00 00 01 CC");
        const tag = multitrack(parseAudioTag(payload));
        expect(tag.tracks.map((t) => t.body.length)).toEqual([0, 1]);
      });

      it('reads a MultichannelConfig inside each track, counted in the track size', () => {
        const payload = hex("95 14 'Opus' 00 00 00 04 00 02 AA BB 01 00 00 03 02 01 03");
        const tag = multitrack(parseAudioTag(payload));
        expect(tag.packetType).toBe(AudioPacketType.MultichannelConfig);
        expect(tag.tracks[0].multichannelConfig).toEqual({
          channelOrder: AudioChannelOrder.Unspecified,
          channelCount: 2,
          channelMask: undefined,
          channelMapping: undefined,
        });
        expectViewOf(tag.tracks[0].body, payload, 12, 2);
        expect(tag.tracks[1].multichannelConfig?.channelMapping).toEqual([3]);
        expectViewOf(tag.tracks[1].body, payload, 21, 0);
      });

      it('reads SequenceEnd across tracks', () => {
        const tag = multitrack(parseAudioTag(hex("95 02 'Opus' 01")));
        expect(tag.isSequenceEnd).toBe(true);
      });
    });

    describe('ModEx', () => {
      it('reads TimestampOffsetNano, then the real packet type and FourCC', () => {
        // 97: ExHeader + ModEx; 02: 3 bytes of data; 0F 42 3F = 999,999 ns; 01: type 0, CodedFrames
        const payload = hex("97 02 0F 42 3F 01 'Opus' AA");
        const tag = single(parseAudioTag(payload));
        expect(tag.timestampOffsetNano).toBe(999_999);
        expect(tag.packetType).toBe(AudioPacketType.CodedFrames);
        expect(tag.fourCc).toBe('Opus');
        expectViewOf(tag.body, payload, 10, 1);
      });

      it('follows a chain of ModEx entries; the last offset wins', () => {
        const tag = single(parseAudioTag(hex("97 02 00 00 01 07 02 00 00 02 00 'mp4a' 12 10")));
        expect(tag.timestampOffsetNano).toBe(2);
        expect(tag.isSequenceHeader).toBe(true);
      });

      it('reads a 16-bit ModEx size when the 8-bit one says 256', () => {
        const data = '00 '.repeat(299) + '01';
        // FF -> 256 -> UI16 01 2B + 1 = 300 bytes, of which the first three are 00 00 00
        const tag = single(parseAudioTag(hex(`97 FF 01 2B ${data} 01 'Opus' AA`)));
        expect(tag.timestampOffsetNano).toBe(0);
        expect(tag.packetType).toBe(AudioPacketType.CodedFrames);
        expect(tag.body).toEqual(Buffer.from([0xaa]));
      });

      it('skips a ModEx type it does not know', () => {
        const tag = single(parseAudioTag(hex("97 00 55 F1 'Opus' AA")));
        expect(tag.timestampOffsetNano).toBe(0);
        expect(tag.fourCc).toBe('Opus');
      });

      it('ignores a TimestampOffsetNano shorter than 3 bytes, as FFmpeg does', () => {
        const tag = single(parseAudioTag(hex("97 01 12 34 01 'Opus'")));
        expect(tag.timestampOffsetNano).toBe(0);
      });

      it('returns an offset above 999,999 as sent', () => {
        const tag = single(parseAudioTag(hex("97 02 FF FF FF 01 'Opus'")));
        expect(tag.timestampOffsetNano).toBe(0xffffff);
      });

      it('applies ModEx before a Multitrack packet', () => {
        const tag = multitrack(parseAudioTag(hex("97 02 00 01 F4 05 01 'Opus' 00 AA")));
        expect(tag.timestampOffsetNano).toBe(500);
        expect(tag.tracks[0].body).toEqual(Buffer.from([0xaa]));
      });
    });
  });
});
