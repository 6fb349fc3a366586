import { MessageType } from '../message/message-type';

/** FLV TagType values: the same numbers as the RTMP message types the tags carry. */
export const FlvTagType = {
  Audio: MessageType.Audio,
  Video: MessageType.Video,
  /** AMF0 script data (`onMetaData`). */
  ScriptData: MessageType.DataAmf0,
} as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

/** TypeFlags bits of the FLV file header. */
export const FlvHeaderFlag = {
  Video: 0x01,
  Audio: 0x04,
} as const;

/** Signature, version, flags and DataOffset. */
export const FLV_HEADER_SIZE = 9;
/** TagType, DataSize, Timestamp, TimestampExtended and StreamID. */
export const FLV_TAG_HEADER_SIZE = 11;
/** The UI32 PreviousTagSize after the header and after every tag. */
export const FLV_TAG_TRAILER_SIZE = 4;
/** Largest body the 24-bit DataSize field can describe. */
export const MAX_FLV_TAG_DATA_SIZE = 0xffffff;
/**
 * Default `maxTagSize` of the reader: 16 MiB, above anything the 24-bit DataSize can say, so by
 * default only a caller's lower limit ever refuses a tag.
 */
export const DEFAULT_MAX_FLV_TAG_SIZE = 16 * 1024 * 1024;
