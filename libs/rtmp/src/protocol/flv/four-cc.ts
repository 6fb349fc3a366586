import { AudioFourCc } from './audio-tag.constants';
import { VideoFourCc } from './video-tag.constants';

/**
 * The known FourCCs by their UI32 value, so that parsing a known codec hands out a shared string
 * instead of decoding four bytes into a new one for every media message.
 */
const KNOWN_FOUR_CCS = new Map<number, string>(
  [...Object.values(VideoFourCc), ...Object.values(AudioFourCc)].map((fourCc) => [
    fourCcToCode(fourCc),
    fourCc,
  ]),
);

/**
 * Packs a four-character code into its big-endian UI32, as E-RTMP puts it on the wire and in
 * `onMetaData.videocodecid` / `audiocodecid` (for example `av01` is 1635135537).
 * Throws a RangeError unless `fourCc` is exactly four characters in the 0-255 range.
 */
export function fourCcToCode(fourCc: string): number {
  if (fourCc.length !== 4 || !isLatin1(fourCc)) {
    throw new RangeError(`a FourCC is four 8-bit characters, got ${JSON.stringify(fourCc)}`);
  }
  return (
    ((fourCc.charCodeAt(0) << 24) |
      (fourCc.charCodeAt(1) << 16) |
      (fourCc.charCodeAt(2) << 8) |
      fourCc.charCodeAt(3)) >>>
    0
  );
}

/** The four-character string for a UI32 FourCC (the inverse of {@link fourCcToCode}). */
export function fourCcFromCode(code: number): string {
  const known = KNOWN_FOUR_CCS.get(code);
  if (known !== undefined) return known;
  return String.fromCharCode(
    (code >>> 24) & 0xff,
    (code >>> 16) & 0xff,
    (code >>> 8) & 0xff,
    code & 0xff,
  );
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return false;
  }
  return true;
}
