import { readFileSync } from 'fs';
import { ChunkReader, ChunkWriter } from '../libs/rtmp/src/protocol/chunk';
import { readFlvFile } from '../libs/rtmp/src/protocol/flv';
import { RtmpMessage } from '../libs/rtmp/src/protocol/message/rtmp-message';
import { clip720p30 } from './support/media';
import { cpuOf, measureRounds, socketReads } from './support/in-process';

/** The protocol-core clip: 4 Mbit/s, 20 s. */
export const CODEC_MEDIA = clip720p30(20, '4M');

export interface ChunkCodecResult {
  readonly chunkSize: number;
  readonly streamBytes: number;
  readonly messages: number;
  readonly readerMBps: number;
  readonly writerMBps: number;
  /** Share of media messages the reader handed out as views of the socket buffer. */
  readonly zeroCopyShare: number;
  /** Same, counting only messages that fit in one chunk (the ones that can be views). */
  readonly zeroCopyShareOfSingleChunk: number | undefined;
}

/** The clip's tags as the messages an encoder publishes (FFmpeg's csids: 8 video, 9 audio). */
function clipMessages(flvPath: string): RtmpMessage[] {
  return readFlvFile(readFileSync(flvPath)).tags.map((tag) => ({
    chunkStreamId: tag.type === 9 ? 8 : 9,
    messageStreamId: 1,
    typeId: tag.type,
    timestamp: tag.timestamp,
    payload: tag.body,
  }));
}

function encodeStream(messages: RtmpMessage[], chunkSize: number): Buffer {
  const writer = new ChunkWriter();
  const parts: Buffer[] = [];
  const announce = Buffer.alloc(4);
  announce.writeUInt32BE(chunkSize);
  writer.write(
    { chunkStreamId: 2, messageStreamId: 0, typeId: 1, timestamp: 0, payload: announce },
    parts,
  );
  writer.setChunkSize(chunkSize);
  for (const message of messages) writer.write(message, parts);
  return Buffer.concat(parts);
}

export async function benchChunkCodec(
  flvPath: string,
  chunkSize: number,
): Promise<ChunkCodecResult> {
  const messages = clipMessages(flvPath);
  const wire = encodeStream(messages, chunkSize);
  const reads = socketReads(wire);

  let views = 0;
  let media = 0;
  let singleChunk = 0;
  let singleChunkViews = 0;
  const countingReader = new ChunkReader((message) => {
    if (message.typeId !== 8 && message.typeId !== 9) return;
    media += 1;
    const isView = reads.some((read) => read.buffer === message.payload.buffer);
    if (isView) views += 1;
    if (message.payload.length <= chunkSize) {
      singleChunk += 1;
      if (isView) singleChunkViews += 1;
    }
  });
  for (const read of reads) countingReader.push(read);

  let sink = 0;
  const read = await measureRounds(() =>
    cpuOf(() => {
      const reader = new ChunkReader((message) => {
        sink += message.payload.length;
      });
      for (const piece of reads) reader.push(piece);
    }),
  );
  const write = await measureRounds(() =>
    cpuOf(() => {
      const writer = new ChunkWriter();
      writer.setChunkSize(chunkSize);
      const parts: Buffer[] = [];
      for (const message of messages) {
        parts.length = 0;
        sink += writer.write(message, parts);
      }
    }),
  );
  if (sink === 0) throw new Error('benchmark optimised away');

  const megabytes = wire.length / 1e6;
  return {
    chunkSize,
    streamBytes: wire.length,
    messages: messages.length,
    readerMBps: (megabytes * read.rounds) / read.seconds,
    writerMBps: (megabytes * write.rounds) / write.seconds,
    zeroCopyShare: views / media,
    zeroCopyShareOfSingleChunk: singleChunk === 0 ? undefined : singleChunkViews / singleChunk,
  };
}
