import { readFileSync } from 'fs';
import { ChunkReader, ChunkWriter } from '../libs/rtmp/src/protocol/chunk';
import { readFlvFile } from '../libs/rtmp/src/protocol/flv';
import { RtmpMessage } from '../libs/rtmp/src/protocol/message/rtmp-message';

/** Socket reads on Linux loopback arrive in pieces of up to 64 KiB. */
const SOCKET_READ_SIZE = 64 * 1024;
export const MIN_MEASURE_SECONDS = 2;

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

/** Cuts the wire into socket-sized pieces, each in its own buffer as a socket would give them. */
function socketReads(wire: Buffer): Buffer[] {
  const reads: Buffer[] = [];
  for (let at = 0; at < wire.length; at += SOCKET_READ_SIZE) {
    reads.push(Buffer.from(wire.subarray(at, Math.min(wire.length, at + SOCKET_READ_SIZE))));
  }
  return reads;
}

/** CPU seconds of this process (user + system) while `work` runs `rounds` times. */
function measure(work: () => void): { seconds: number; rounds: number } {
  work(); // warm-up
  let rounds = 0;
  const start = process.cpuUsage();
  let seconds = 0;
  while (seconds < MIN_MEASURE_SECONDS) {
    work();
    rounds += 1;
    const used = process.cpuUsage(start);
    seconds = (used.user + used.system) / 1e6;
  }
  return { seconds, rounds };
}

export function benchChunkCodec(flvPath: string, chunkSize: number): ChunkCodecResult {
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
  const read = measure(() => {
    const reader = new ChunkReader((message) => {
      sink += message.payload.length;
    });
    for (const piece of reads) reader.push(piece);
  });
  const write = measure(() => {
    const writer = new ChunkWriter();
    writer.setChunkSize(chunkSize);
    const parts: Buffer[] = [];
    for (const message of messages) {
      parts.length = 0;
      sink += writer.write(message, parts);
    }
  });
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
