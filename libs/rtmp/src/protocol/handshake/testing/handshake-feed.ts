import { HandshakeProgress } from '../handshake.types';

/** What feeding a handshake piece by piece produced, as a session would see it. */
export interface FeedResult {
  /** Every `output` concatenated, in order. */
  readonly output: Buffer;
  /** How many pushes returned an output. */
  readonly writes: number;
  /** True once a push reported completion. */
  readonly complete: boolean;
  /** `rest` of the completing push plus every later piece (a session hands those to the chunk reader). */
  readonly rest: Buffer;
}

/**
 * Pushes `pieces` in order into `push`, stopping at completion the way a session does: once the
 * handshake is complete, the remaining pieces are chunk-stream bytes and are not pushed.
 */
export function feedPieces(
  push: (bytes: Buffer) => HandshakeProgress,
  pieces: Buffer[],
): FeedResult {
  const outputs: Buffer[] = [];
  const rest: Buffer[] = [];
  let complete = false;
  for (const piece of pieces) {
    if (complete) {
      rest.push(piece);
      continue;
    }
    const progress = push(piece);
    if (progress.output !== undefined) outputs.push(Buffer.from(progress.output));
    if (progress.complete) {
      complete = true;
      rest.push(progress.rest);
    } else {
      expect(progress.rest).toHaveLength(0);
    }
  }
  return {
    output: Buffer.concat(outputs),
    writes: outputs.length,
    complete,
    rest: Buffer.concat(rest),
  };
}

/** Cuts `bytes` at the given (sorted or not, possibly repeated) offsets. */
export function splitAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}
