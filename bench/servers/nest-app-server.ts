/*
 * This library as its users run it, for the benchmarks: a Nest application context with
 * RtmpModule (a StreamKeyVerifier class that accepts every key, no logger, the options of the
 * bare bench server), and for every stream that starts two RtmpServerService.packets()
 * subscribers, as the demo has (apps/demo: its stats service and its recorder): one counts the
 * packets of each type, which the bench reads over IPC (see ./ipc.ts), the other the payload
 * bytes, as a consumer that stores them would.
 *
 *   node .bench-work/build/bench/servers/nest-app-server.js ['{"gopCache":false}']
 *   (compiled by the bench, see compileServers)
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { liveStreamOf, RtmpServerService } from '../../libs/rtmp/src/nest/rtmp-server.service';
import { RtmpModule } from '../../libs/rtmp/src/nest/rtmp.module';
import { AllowAllStreamKeyVerifier } from '../../libs/rtmp/src/nest/stream-key-verifier';
import { announceOnceListening, countSocketReads } from './ipc';
import { benchServerOptions, serveOurCounters, StreamCounts } from './our-bench-server';

@Module({
  imports: [
    RtmpModule.forRoot({
      ...benchServerOptions(),
      verifier: AllowAllStreamKeyVerifier,
      logger: false,
    }),
  ],
})
class NestBenchModule {}

/** Starts the application; resolves with the port it listens on. */
async function main(): Promise<{ port: number }> {
  // Before the application starts: its server listens as it does.
  const reads = countSocketReads();
  const counts = new StreamCounts();
  const app = await NestFactory.createApplicationContext(NestBenchModule, { logger: false });
  serveOurCounters(counts, reads, { stop: () => app.close() });
  const rtmp = app.get(RtmpServerService);
  rtmp.streamStarted$.subscribe((stream) => {
    // The GOP cache is not in the public API; the bench reads it as for the bare server.
    const live = liveStreamOf(rtmp, stream.app, stream.name);
    const counted = counts.add(stream.name, () => live?.gopCacheSize.bytes ?? 0);
    const ended = (): void => void (counted.ended = stream.ended?.reason ?? 'completed');
    rtmp.packets(stream.app, stream.name).subscribe({
      next: (packet) => counted.count(packet),
      complete: ended,
      error: ended,
    });
    rtmp.packets(stream.app, stream.name).subscribe((packet) => {
      counted.payloadBytes += packet.payload.length;
    });
  });
  return { port: rtmp.address()?.port ?? 0 };
}

announceOnceListening(main(), 'this repository');
