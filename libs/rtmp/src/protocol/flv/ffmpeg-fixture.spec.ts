import { parseAudioTag } from './audio-tag.parser';
import type { SingleTrackAudioTag } from './audio-tag.types';
import { FlvTagType } from './flv-file.constants';
import type { FlvTag } from './flv-file.types';
import { FlvReader } from './flv.reader';
import { readFlvFile } from './read-flv-file';
import { loadFixture } from './testing/load-fixture';
import { VideoCodecId } from './video-tag.constants';
import { parseVideoTag } from './video-tag.parser';
import type { SingleTrackVideoTag } from './video-tag.types';

/**
 * Real FFmpeg 5.1 output (see testing/README.md): 1 s of 160x120 testsrc at 10 fps, H.264 with
 * a key frame every 5 frames, and 1 s of 44.1 kHz mono AAC.
 */
describe('FFmpeg fixture (H.264 + AAC, -g 5)', () => {
  const file = loadFixture('ffmpeg-h264-aac.flv');
  const read = readFlvFile(file);
  const video = read.tags
    .filter((t) => t.type === FlvTagType.Video)
    .map((t) => parseVideoTag(t.body) as SingleTrackVideoTag);
  const audio = read.tags
    .filter((t) => t.type === FlvTagType.Audio)
    .map((t) => parseAudioTag(t.body) as SingleTrackAudioTag);

  it('has a clean header and PreviousTagSize fields that all match', () => {
    expect(read.header).toEqual({ version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    expect(read.previousTagSizeMismatches).toBe(0);
    expect(read.tags[0].type).toBe(FlvTagType.ScriptData);
    expect(read.tags[0].body.subarray(3, 13).toString('latin1')).toBe('onMetaData');
  });

  it('carries legacy AVC video throughout (CodecID 7)', () => {
    expect(
      video.every((t) => !t.isExHeader && t.codecId === VideoCodecId.Avc && t.codec === 'h264'),
    ).toBe(true);
  });

  it('starts video with exactly one AVC sequence header and ends it with an end of sequence', () => {
    expect(video.filter((t) => t.isSequenceHeader)).toHaveLength(1);
    expect(video[0].isSequenceHeader).toBe(true);
    expect(video[0].body[0]).toBe(1); // configurationVersion of the AVCDecoderConfigurationRecord
    expect(video[video.length - 1].isSequenceEnd).toBe(true);
  });

  it('has 10 frames of which 2 are key frames (10 frames / -g 5)', () => {
    const frames = video.filter((t) => !t.isSequenceHeader && !t.isSequenceEnd);
    expect(frames).toHaveLength(10);
    expect(frames.filter((t) => t.isKeyFrame)).toHaveLength(2);
    expect(frames[0].isKeyFrame).toBe(true);
    expect(frames[5].isKeyFrame).toBe(true);
  });

  it('has B-frame composition times', () => {
    expect(video.some((t) => t.compositionTime > 0)).toBe(true);
  });

  it('carries legacy AAC audio (AF): one sequence header first, then raw frames', () => {
    expect(audio.every((t) => t.codec === 'aac' && t.soundFormat === 10 && !t.isExHeader)).toBe(
      true,
    );
    expect(audio[0].isSequenceHeader).toBe(true);
    expect(audio.filter((t) => t.isSequenceHeader)).toHaveLength(1);
    expect(audio).toHaveLength(46);
    // AudioSpecificConfig: AAC-LC (2), 44.1 kHz (index 4), mono -> 0x12 0x08
    expect(audio[0].body.subarray(0, 2)).toEqual(Buffer.from([0x12, 0x08]));
  });

  it('reads the same tags when pushed in odd-sized pieces', () => {
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    for (let at = 0; at < file.length; at += 777) {
      reader.push(file.subarray(at, at + 777), (tag) => tags.push(tag));
    }
    reader.end();
    expect(tags.map((t) => [t.type, t.timestamp, t.body])).toEqual(
      read.tags.map((t) => [t.type, t.timestamp, t.body]),
    );
  });
});
