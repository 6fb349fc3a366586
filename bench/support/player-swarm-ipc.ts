/*
 * What the bench (the parent) and the player swarm of the fan-out scenario
 * (./player-swarm-process.ts, a child process) say to each other (see ./forked-child.ts).
 */

/** One player's running totals since it connected. */
export interface PlayerCounters {
  /** Bytes received from the server, handshake and chunk headers included. */
  readonly bytes: number;
  /**
   * Whether the first video message that is not a sequence header was a keyframe and came
   * after a sequence header (what a decoder needs to start); undefined before any such message.
   */
  readonly startedOnKeyFrame: boolean | undefined;
  /** Milliseconds from NetStream.Play.Start to the first keyframe; undefined before it. */
  readonly msToFirstKeyFrame: number | undefined;
  /** Why the connection ended; undefined while it is open. */
  readonly closed: string | undefined;
}

export interface SwarmSnapshot {
  readonly players: readonly PlayerCounters[];
}

export interface OpenReport {
  /** Players that reached NetStream.Play.Start. */
  readonly opened: number;
  /** The first few failures' messages. */
  readonly errors: readonly string[];
}

export type SwarmRequest =
  | {
      readonly type: 'open';
      readonly url: string;
      readonly count: number;
      /** Players connecting at once: each batch reaches Play.Start before the next starts. */
      readonly batch: number;
    }
  | { readonly type: 'snapshot' | 'close' };
