import { RandomFill } from '../handshake.types';

/**
 * A deterministic `RandomFill` (xorshift32) so handshake packets are the same on every run.
 * Different seeds give different bytes; a seed of 0 is moved off the xorshift fixed point.
 */
export function seededFill(seed: number): RandomFill {
  let state = seed >>> 0 || 0x9e3779b9;
  return (target: Buffer) => {
    for (let i = 0; i < target.length; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      target[i] = state & 0xff;
    }
  };
}

/** A `RandomFill` that replays fixed bytes (from a capture), in order, then zeros. */
export function replayFill(...chunks: Buffer[]): RandomFill {
  const queue = [...chunks];
  return (target: Buffer) => {
    target.fill(0);
    const next = queue.shift();
    if (next !== undefined) next.copy(target, 0, 0, Math.min(next.length, target.length));
  };
}
