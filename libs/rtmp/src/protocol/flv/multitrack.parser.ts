import type { ByteReader } from '../buffer/byte-reader';
import { AvMultitrackType } from './ex-header.constants';
import { FlvDecodeError } from './flv-decode.error';
import { FlvMessages } from './flv.messages';
import { fourCcFromCode } from './four-cc';

/**
 * Turns one track's bytes into the caller's track type. `start`/`end` bound the track's data in
 * `payload` (after its FourCC, trackId and size fields). A plain function, not a closure, so
 * parsing allocates nothing per call beyond the tracks themselves.
 */
export type TrackDecoder<T> = (
  payload: Buffer,
  start: number,
  end: number,
  trackId: number,
  fourCc: string,
  packetType: number,
) => T;

/**
 * Checks the two halves of the byte after a Multitrack packet type. A nested Multitrack is
 * forbidden by the spec and a reserved multitrack type has no known track layout: both are
 * structural errors.
 */
export function checkMultitrackByte(
  media: 'audio' | 'video',
  multitrackType: number,
  packetType: number,
  multitrackPacketType: number,
): void {
  if (multitrackType > AvMultitrackType.ManyTracksManyCodecs) {
    throw new FlvDecodeError(FlvMessages.unknownMultitrackType(media, multitrackType), {
      media,
      multitrackType,
    });
  }
  if (packetType === multitrackPacketType) {
    throw new FlvDecodeError(FlvMessages.nestedMultitrack(media), { media, packetType });
  }
}

/**
 * Reads the tracks of a multitrack message; `reader` sits after the shared FourCC (or after the
 * multitrack byte with ManyTracksManyCodecs). Each track is [FourCC] trackId [UI24 size] data;
 * OneTrack has no size and runs to the end of the message. A size past the end of the message
 * is a structural error, not a truncation: the message itself is complete.
 */
export function readTracks<T>(
  payload: Buffer,
  reader: ByteReader,
  multitrackType: number,
  packetType: number,
  sharedFourCc: string | undefined,
  decodeTrack: TrackDecoder<T>,
): T[] {
  const tracks: T[] = [];
  do {
    const fourCc = sharedFourCc ?? fourCcFromCode(reader.u32());
    const trackId = reader.u8();
    let end = payload.length;
    if (multitrackType !== AvMultitrackType.OneTrack) {
      const size = reader.u24();
      if (size > reader.remaining) {
        throw new FlvDecodeError(FlvMessages.trackSizePastEnd(trackId, size, reader.remaining), {
          trackId,
          size,
          available: reader.remaining,
          offset: reader.offset,
        });
      }
      end = reader.offset + size;
    }
    tracks.push(decodeTrack(payload, reader.offset, end, trackId, fourCc, packetType));
    reader.skip(end - reader.offset);
  } while (multitrackType !== AvMultitrackType.OneTrack && !reader.atEnd);
  return tracks;
}
