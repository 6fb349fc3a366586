/** E-RTMP v2 AvMultitrackType, the high 4 bits of the byte after a Multitrack packet type. */
export const AvMultitrackType = {
  /** One track, no size field: the track runs to the end of the message. */
  OneTrack: 0,
  /** Several tracks of the codec named once in the header, each with a UI24 size. */
  ManyTracks: 1,
  /** Several tracks, each with its own FourCC and a UI24 size. */
  ManyTracksManyCodecs: 2,
} as const;
export type AvMultitrackType = (typeof AvMultitrackType)[keyof typeof AvMultitrackType];

/** E-RTMP v2 ModEx types (the high 4 bits of the byte after the ModEx data). */
export const PacketModExType = {
  /** A UI24 nanosecond offset added to the message's millisecond timestamp. */
  TimestampOffsetNano: 0,
} as const;
export type PacketModExType = (typeof PacketModExType)[keyof typeof PacketModExType];

/** Largest TimestampOffsetNano the spec allows: anything bigger would be a whole millisecond. */
export const MAX_TIMESTAMP_OFFSET_NANO = 999_999;
