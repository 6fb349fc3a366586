import { RtmpMessage } from '../../message/rtmp-message';
import { ChunkReader, ChunkReaderLimits } from '../chunk-reader';

/** Pushes `pieces` in order into a new ChunkReader; returns what it delivered, and the reader. */
export function readAll(
  pieces: readonly Buffer[],
  limits: Partial<ChunkReaderLimits> = {},
): { messages: RtmpMessage[]; reader: ChunkReader } {
  const messages: RtmpMessage[] = [];
  const reader = new ChunkReader((message) => messages.push(message), limits);
  for (const piece of pieces) reader.push(piece);
  return { messages, reader };
}

/** `buffer` cut at `offsets` (ascending): the pieces a socket might deliver it in. */
export function splitAt(buffer: Buffer, offsets: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, buffer.length]) {
    pieces.push(buffer.subarray(start, offset));
    start = offset;
  }
  return pieces;
}
