import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { RtmpMessage } from '../../message/rtmp-message';

/** OBS Studio 29 → nginx-rtmp publish, after the handshake (see README in this folder). */
export function loadObsPublishChunks(): Buffer {
  return readFileSync(join(__dirname, 'obs-publish-chunks.bin'));
}

/** The last bytes OBS sends: FCUnpublish and deleteStream. */
export function loadObsPublishTailChunks(): Buffer {
  return readFileSync(join(__dirname, 'obs-publish-tail-chunks.bin'));
}

/** A compact, comparable description of a message (payload by digest). */
export function describeMessage(message: RtmpMessage): string {
  const digest = createHash('sha1').update(message.payload).digest('hex').slice(0, 12);
  return [
    message.chunkStreamId,
    message.messageStreamId,
    message.typeId,
    message.timestamp,
    message.payload.length,
    digest,
  ].join('/');
}
