import { readFileSync } from 'fs';
import { parseMediaTag, readFlvFile } from '../../libs/rtmp/src/protocol/flv';
import { MediaPacket } from '../../libs/rtmp/src/media/media-packet';

/**
 * What a stream carried, in a form two sides can be compared on: frames (sequence headers
 * apart), where the keyframes are, and the timestamps in arrival order.
 */
export interface MediaSummary {
  videoFrames: number;
  audioFrames: number;
  videoSequenceHeaders: number;
  audioSequenceHeaders: number;
  /** Indexes (among video frames) of the keyframes. */
  keyFrameIndexes: number[];
  videoTimestamps: number[];
  audioTimestamps: number[];
  metadataPackets: number;
}

export function emptySummary(): MediaSummary {
  return {
    videoFrames: 0,
    audioFrames: 0,
    videoSequenceHeaders: 0,
    audioSequenceHeaders: 0,
    keyFrameIndexes: [],
    videoTimestamps: [],
    audioTimestamps: [],
    metadataPackets: 0,
  };
}

/** Adds one packet of a live stream to a summary. */
export function addPacket(summary: MediaSummary, packet: MediaPacket): void {
  if (packet.type === 'metadata') {
    summary.metadataPackets += 1;
  } else if (packet.type === 'video') {
    if (packet.tag.isSequenceHeader) {
      summary.videoSequenceHeaders += 1;
      return;
    }
    if (packet.tag.isKeyFrame) summary.keyFrameIndexes.push(summary.videoFrames);
    summary.videoFrames += 1;
    summary.videoTimestamps.push(packet.timestamp);
  } else {
    if (packet.tag.isSequenceHeader) {
      summary.audioSequenceHeaders += 1;
      return;
    }
    summary.audioFrames += 1;
    summary.audioTimestamps.push(packet.timestamp);
  }
}

/** Summarises an FLV file the same way, from its tags. */
export function summarizeFlvFile(path: string): MediaSummary {
  const summary = emptySummary();
  for (const tag of readFlvFile(readFileSync(path)).tags) {
    if (tag.type === 18) {
      summary.metadataPackets += 1;
      continue;
    }
    const parsed = parseMediaTag(tag.type, tag.body);
    if (parsed === undefined) continue;
    if (parsed.kind === 'video') {
      addPacket(summary, {
        type: 'video',
        timestamp: tag.timestamp,
        payload: tag.body,
        tag: parsed,
      });
    } else {
      addPacket(summary, {
        type: 'audio',
        timestamp: tag.timestamp,
        payload: tag.body,
        tag: parsed,
      });
    }
  }
  return summary;
}

export function isNonDecreasing(values: readonly number[]): boolean {
  return values.every((value, index) => index === 0 || value >= values[index - 1]);
}
