/*
 * What the in-process benchmarks (the chunk codec, the session path) share: input cut as a
 * socket would deliver it, and CPU time measured in this process.
 */

/** Socket reads on Linux loopback arrive in pieces of up to 64 KiB. */
const SOCKET_READ_SIZE = 64 * 1024;
/** Rounds run until they have used this much CPU, after a warm-up round. */
export const MIN_MEASURE_SECONDS = 2;

/** `bytes` cut into socket-sized reads, each in a buffer of its own as a socket gives them. */
export function socketReads(bytes: Buffer): Buffer[] {
  const reads: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += SOCKET_READ_SIZE) {
    reads.push(Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + SOCKET_READ_SIZE))));
  }
  return reads;
}

/** CPU seconds (user + system) of this process while `work` runs. */
export function cpuOf(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * `round` (which returns the CPU seconds it counts) once unmeasured, then until the rounds
 * have counted MIN_MEASURE_SECONDS.
 */
export async function measureRounds(
  round: () => number | Promise<number>,
): Promise<{ seconds: number; rounds: number }> {
  await round();
  let seconds = 0;
  let rounds = 0;
  while (seconds < MIN_MEASURE_SECONDS) {
    seconds += await round();
    rounds += 1;
  }
  return { seconds, rounds };
}
