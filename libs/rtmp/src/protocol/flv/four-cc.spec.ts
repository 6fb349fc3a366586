import { AudioFourCc } from './audio-tag.constants';
import { fourCcFromCode, fourCcToCode } from './four-cc';
import { VideoFourCc } from './video-tag.constants';

describe('FourCC helpers', () => {
  it('packs FourCCs big-endian, as onMetaData.videocodecid carries them', () => {
    expect(fourCcToCode('av01')).toBe(1635135537);
    expect(fourCcToCode('hvc1')).toBe(1752589105);
    expect(fourCcToCode('\u00ff\u00ff\u00ff\u00ff')).toBe(0xffffffff);
  });

  it('unpacks every known FourCC and any unknown one', () => {
    for (const fourCc of [...Object.values(VideoFourCc), ...Object.values(AudioFourCc)]) {
      expect(fourCcFromCode(fourCcToCode(fourCc))).toBe(fourCc);
    }
    expect(fourCcFromCode(0x78797a31)).toBe('xyz1');
    expect(fourCcFromCode(0x00ff7f80)).toBe('\u0000\u00ff\u007f\u0080');
  });

  it('refuses anything but four 8-bit characters', () => {
    expect(() => fourCcToCode('av1')).toThrow(RangeError);
    expect(() => fourCcToCode('av011')).toThrow(RangeError);
    expect(() => fourCcToCode('av0\u0101')).toThrow(RangeError);
  });
});
