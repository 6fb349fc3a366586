import { LatencyReport } from './servers/ipc';
import { BenchClip, publish } from './support/media';
import { ProcessMeter } from './support/proc';
import { startLatencyApp } from './support/servers';

export interface LatencyResult {
  readonly report: LatencyReport;
  readonly publishers: number;
  readonly completed: number;
  readonly cpuPercent: number;
}

/**
 * Scenario 5: `publishers` FFmpeg `-re` publishers of the live clip into a Nest application
 * (../servers/latency-app.ts; the baseline's, given its build) that subscribes to every stream
 * with packets() and measures, in its own process, the time from the socket 'data' event
 * completing a message to the packet's emission.
 */
export async function benchLatency(
  clip: BenchClip,
  publishers: number,
  baselineBuild?: string,
): Promise<LatencyResult> {
  const app = await startLatencyApp(baselineBuild);
  try {
    const meter = new ProcessMeter(app.pid);
    const results = await Promise.all(
      Array.from({ length: publishers }, (_, i) =>
        publish(clip.path, app.url(`latency-${i + 1}`), { realtime: true }),
      ),
    );
    const cpuPercent = (meter.cpu() / meter.wall()) * 100;
    return {
      report: await app.latency(),
      publishers,
      completed: results.filter((result) => result.code === 0).length,
      cpuPercent,
    };
  } finally {
    await app.stop();
  }
}
