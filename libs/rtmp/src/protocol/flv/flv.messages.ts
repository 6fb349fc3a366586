/**
 * Message text for the FLV errors, kept apart from the error classes so tests and logs match on
 * codes while the wording stays in one place.
 */
export const FlvMessages = {
  trackSizePastEnd: (trackId: number, size: number, available: number): string =>
    `multitrack track ${trackId} declares ${size} byte(s), only ${available} left in the message`,
  nestedMultitrack: (media: 'audio' | 'video'): string =>
    `${media} multitrack packet wraps another Multitrack packet type`,
  unknownMultitrackType: (media: 'audio' | 'video', type: number): string =>
    `${media} multitrack type ${type} is reserved; its track layout is unknown`,
  headerSignature: (found: string): string =>
    `FLV file header must start with "FLV", found ${JSON.stringify(found)}`,
  headerDataOffset: (dataOffset: number): string =>
    `FLV file header DataOffset ${dataOffset} is smaller than the 9-byte header`,
  tagTooLarge: (size: number, limit: number): string =>
    `FLV tag of ${size} byte(s) is over the ${limit}-byte limit`,
} as const;
