/**
 * Records what FFmpeg really sends when it publishes over RTMP, for the chunk reader's specs:
 * `npm run fixtures:capture`. Writes `ffmpeg-publish-128.bin`, `ffmpeg-publish-4096.bin` and
 * `ffmpeg-publish.json` into libs/rtmp/src/protocol/chunk/testing (see the README there).
 *
 * The peer is the capture listener from test/support, a test tool, not this library's server.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  FlvTag,
  MediaTag,
  MessageType,
  parseMediaTag,
  readFlvFile,
} from '../libs/rtmp/src/protocol';
import type {
  FfmpegPublishInfo,
  FfmpegPublishMediaSummary,
} from '../libs/rtmp/src/protocol/chunk/testing/chunk-fixtures';
import {
  ffmpegVersion,
  generatePublishClip,
  PUBLISH_CLIP,
  PUBLISH_TIMESTAMP_OFFSET_MS,
  PUBLISH_VIDEO_DELAY_MS,
  startPublishCapture,
} from '../test/support/ffmpeg-publish-capture';

const FIXTURES = join(__dirname, '..', 'libs', 'rtmp', 'src', 'protocol', 'chunk', 'testing');
/** 128: no SetChunkSize from the listener. 4096: sent before the connect result. */
const CHUNK_SIZES = [128, 4096] as const;

async function main(): Promise<void> {
  const clip = await generatePublishClip();
  const captures: FfmpegPublishInfo['captures'][number][] = [];
  let args: readonly string[] = [];
  for (const chunkSize of CHUNK_SIZES) {
    const capture = await startPublishCapture(clip, chunkSize === 128 ? {} : { chunkSize });
    const bytes = await capture.bytes;
    const file = `ffmpeg-publish-${chunkSize}.bin`;
    writeFileSync(join(FIXTURES, file), bytes);
    captures.push({ file, serverChunkSize: chunkSize, bytes: bytes.length });
    args = capture.args;
    console.log(`${file}: ${bytes.length} bytes`);
  }
  const info: FfmpegPublishInfo = {
    ffmpegVersion: await ffmpegVersion(),
    // The clip's path and the listener's port differ from one machine and run to the next.
    command: ['ffmpeg', ...args]
      .map((arg) =>
        arg === clip ? '<clip.flv>' : arg.replace(/^(rtmp:\/\/[^:/]+):\d+/, '$1:<port>'),
      )
      .join(' '),
    clip: describeClip(readFileSync(clip)),
    timestampOffsetMs: PUBLISH_TIMESTAMP_OFFSET_MS,
    videoDelayMs: PUBLISH_VIDEO_DELAY_MS,
    captures,
  };
  writeFileSync(join(FIXTURES, 'ffmpeg-publish.json'), `${JSON.stringify(info, null, 2)}\n`);
  console.log(JSON.stringify(info.clip, null, 2));
}

/** Counts and timestamp ranges of the source clip, as they should come out of the captures. */
function describeClip(file: Buffer): FfmpegPublishInfo['clip'] {
  const tags = readFlvFile(file).tags;
  const audio = mediaOf(tags, MessageType.Audio);
  const video = mediaOf(tags, MessageType.Video);
  return {
    spec: PUBLISH_CLIP,
    audio: summarize(audio, PUBLISH_TIMESTAMP_OFFSET_MS),
    video: {
      ...summarize(video, PUBLISH_TIMESTAMP_OFFSET_MS + PUBLISH_VIDEO_DELAY_MS),
      keyFrames: video.filter(({ tag }) => tag?.kind === 'video' && tag.isKeyFrame).length,
    },
  };
}

interface SourceMedia {
  readonly timestamp: number;
  readonly tag: MediaTag | undefined;
}

function mediaOf(tags: readonly FlvTag[], typeId: number): SourceMedia[] {
  return tags
    .filter((tag) => tag.type === typeId)
    .map((tag) => ({ timestamp: tag.timestamp, tag: parseMediaTag(typeId, tag.body) }));
}

function summarize(media: readonly SourceMedia[], shift: number): FfmpegPublishMediaSummary {
  // Sequence headers come from the FLV header FFmpeg writes, at time 0 whatever the offset.
  const rest = media.filter(({ tag }) => !tag?.isSequenceHeader);
  return {
    tags: media.length,
    sequenceHeaders: media.length - rest.length,
    firstTimestamp: rest[0].timestamp + shift,
    lastTimestamp: rest[rest.length - 1].timestamp + shift,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
