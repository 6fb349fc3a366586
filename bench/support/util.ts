import type { BenchServer } from './servers';

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the server has read everything it was sent: its byte count stops moving
 * (unchanged over two polls 100 ms apart), for at most `maxMs`.
 */
export async function settle(server: BenchServer, maxMs = 5_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  let last = (await server.counters()).bytesIn;
  let still = 0;
  while (still < 2 && performance.now() < deadline) {
    await sleep(100);
    const now = (await server.counters()).bytesIn;
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The value at quantile `q` (0..1) of sorted `values`, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const MB = 1e6;
export const GB = 1e9;

/** Logs progress to stderr (stdout carries the report). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
