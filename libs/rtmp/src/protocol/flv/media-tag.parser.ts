import { MessageType } from '../message/message-type';
import { parseAudioTag } from './audio-tag.parser';
import type { AudioTag } from './audio-tag.types';
import { parseVideoTag } from './video-tag.parser';
import type { VideoTag } from './video-tag.types';

/** A parsed audio or video message; `kind` tells which. */
export type MediaTag = AudioTag | VideoTag;

/**
 * Parses an audio (8) or video (9) RTMP message or FLV tag body; returns undefined for any other
 * type id (script data, commands), which callers pass through untouched.
 */
export function parseMediaTag(typeId: number, payload: Buffer): MediaTag | undefined {
  if (typeId === MessageType.Audio) return parseAudioTag(payload);
  if (typeId === MessageType.Video) return parseVideoTag(payload);
  return undefined;
}
