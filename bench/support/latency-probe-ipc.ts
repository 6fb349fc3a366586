/*
 * What the bench (the parent) and the latency probe of the publisher → player scenario
 * (./latency-probe-process.ts, a child process) say to each other (see ./forked-child.ts).
 */

/** One measured window: the audio and video messages written in it, and their latency. */
export interface ProbeWindow {
  /** Audio and video messages the publisher wrote in the window. */
  readonly sent: number;
  /** Of those, the ones the player received (matched to their write). */
  readonly received: number;
  /** Milliseconds from the publisher's write to the player's read, over the received. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Why the publisher or the player closed, if one did. */
  readonly failure?: string;
}

export type ProbeRequest =
  | {
      /** Publishes `clip` (an FLV file) to `url` in real time, looped, and plays it back. */
      readonly type: 'start';
      readonly clip: string;
      readonly url: string;
    }
  | { readonly type: 'measure'; readonly windowMs: number }
  | { readonly type: 'close' };
