/*
 * What the hostile-traffic scenario (the parent) and its probe client
 * (./handshake-probe-process.ts, a child process) say to each other (see ./forked-child.ts).
 */

export type ProbeRequest =
  | {
      readonly type: 'start';
      readonly port: number;
      readonly intervalMs: number;
      readonly timeoutMs: number;
    }
  | { readonly type: 'stop' };

/** The probes since `start`: the reply to `stop`. */
export interface ProbeReport {
  /** Handshake times of the probes that completed, in ms. */
  readonly probeMs: readonly number[];
  /** Probes that were refused, closed, or took longer than the timeout. */
  readonly failed: number;
}
