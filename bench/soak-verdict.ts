import { SoakResult, SoakSample } from './soak.bench';
import { MB } from './support/util';

/*
 * How the soak is judged: least-squares trends of RSS and of the post-GC heap after a warm-up,
 * and the drift of RSS between two minutes, against thresholds.
 */

/** What "stable" means here, and the thresholds it is judged by (MB, MB per hour). */
export interface SoakThresholds {
  /** Minutes left out of the slopes: JIT, V8's heap sizing, the first publishes' buffers. */
  readonly warmupMinutes: number;
  /**
   * Most growth of RSS less V8's young generation (which V8 resizes under load, up to a fixed
   * cap: not a leak), by least squares over every sample after the warm-up.
   */
  readonly rssSlope: number;
  /** Most growth of post-GC heapUsed (JavaScript objects), by least squares. */
  readonly heapUsedSlope: number;
  /**
   * Most growth of post-GC heapUsed + external (with the Buffers, whose amount also follows
   * where each live stream is in its GOP), by least squares.
   */
  readonly heapSlope: number;
  /** The minute whose mean RSS (less the young generation) the last minute's is compared with. */
  readonly referenceMinute: number;
  /** Most difference between those two means. */
  readonly rssDrift: number;
}

/** A least-squares line through (x, y): its slope, and the slope's standard error. */
export interface Slope {
  readonly slope: number;
  readonly standardError: number;
  readonly points: number;
}

export function leastSquares(points: ReadonlyArray<readonly [number, number]>): Slope {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  const slope = sxy / sxx;
  const residuals = points.reduce((sum, [x, y]) => sum + (y - meanY - slope * (x - meanX)) ** 2, 0);
  return { slope, standardError: Math.sqrt(residuals / (n - 2) / sxx), points: n };
}

export interface SoakVerdict {
  readonly thresholds: SoakThresholds;
  /** MB per hour, after the warm-up: RSS as sampled (shown, not judged), and less young gen. */
  readonly rawRssSlope: Slope;
  readonly rssSlope: Slope;
  /** MB per hour, post-GC, after the warm-up. */
  readonly heapUsedSlope: Slope;
  readonly heapSlope: Slope;
  /** Mean RSS (less young gen) over the reference minute and over the last minute, MB. */
  readonly rssAtReference: number;
  readonly rssAtEnd: number;
  /** The same, RSS as sampled. */
  readonly rawRssAtReference: number;
  readonly rawRssAtEnd: number;
  readonly rssStable: boolean;
  readonly heapUsedStable: boolean;
  readonly heapStable: boolean;
  readonly driftStable: boolean;
  readonly stable: boolean;
}

/** The mean of `value` (MB) over the samples of minute `minute` (the minute ending at it). */
function meanOfMinute(
  samples: readonly SoakSample[],
  minute: number,
  value: (sample: SoakSample) => number,
): number {
  const inMinute = samples.filter((s) => s.at > (minute - 1) * 60 && s.at <= minute * 60 + 1);
  return inMinute.reduce((sum, s) => sum + value(s), 0) / inMinute.length / MB;
}

const rssLessYoung = (sample: SoakSample): number => sample.rss - sample.youngGeneration;

export function judgeSoak(result: SoakResult, thresholds: SoakThresholds): SoakVerdict {
  const from = thresholds.warmupMinutes * 60;
  const end = result.options.minutes * 60 + 1;
  const warm = result.samples.filter((s) => s.at >= from && s.at <= end);
  const warmGc = result.gcSamples.filter((s) => s.minute >= thresholds.warmupMinutes);
  /** Least squares over (seconds, bytes), in MB per hour. */
  const perHour = <T extends { at: number }>(
    samples: readonly T[],
    value: (sample: T) => number,
  ): Slope => {
    const line = leastSquares(samples.map((s): [number, number] => [s.at, value(s) / MB]));
    return { ...line, slope: line.slope * 3600, standardError: line.standardError * 3600 };
  };
  const rawRssSlope = perHour(warm, (s) => s.rss);
  const rssSlope = perHour(warm, rssLessYoung);
  const heapUsedSlope = perHour(warmGc, (s) => s.heapUsed);
  const heapSlope = perHour(warmGc, (s) => s.heap);
  const rssAtReference = meanOfMinute(result.samples, thresholds.referenceMinute, rssLessYoung);
  const rssAtEnd = meanOfMinute(result.samples, result.options.minutes, rssLessYoung);
  const rssStable = rssSlope.slope < thresholds.rssSlope;
  const heapUsedStable = heapUsedSlope.slope < thresholds.heapUsedSlope;
  const heapStable = heapSlope.slope < thresholds.heapSlope;
  const driftStable = Math.abs(rssAtEnd - rssAtReference) <= thresholds.rssDrift;
  return {
    thresholds,
    rawRssSlope,
    rssSlope,
    heapUsedSlope,
    heapSlope,
    rssAtReference,
    rssAtEnd,
    rawRssAtReference: meanOfMinute(result.samples, thresholds.referenceMinute, (s) => s.rss),
    rawRssAtEnd: meanOfMinute(result.samples, result.options.minutes, (s) => s.rss),
    rssStable,
    heapUsedStable,
    heapStable,
    driftStable,
    stable: rssStable && heapUsedStable && heapStable && driftStable,
  };
}
