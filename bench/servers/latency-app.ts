/*
 * Consumer latency, measured inside a Nest application: RtmpModule with the allow-all verifier,
 * and for every stream that starts, a subscriber of RtmpServerService.packets().
 *
 * The clock starts when the server's socket emits the 'data' event that completes a message:
 * a 'data' listener put in front of the session's own (through the `net.server.socket`
 * diagnostics channel, so the library is untouched) stamps process.hrtime.bigint(). The session
 * parses that buffer synchronously and hands each complete message to LiveStream listeners
 * while the stamp is current; a listener of our own files the stamp under the packet object.
 * The clock stops when the packet object reaches the packets() subscriber (and, for comparison,
 * when it reaches a plain LiveStream listener).
 *
 *   node bench/servers/latency-app.js  (compiled; the bench starts it)
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { subscribe } from 'diagnostics_channel';
import { Socket } from 'net';
import { liveStreamOf, RtmpServerService } from '../../libs/rtmp/src/nest/rtmp-server.service';
import { RtmpModule } from '../../libs/rtmp/src/nest/rtmp.module';
import { AllowAllStreamKeyVerifier } from '../../libs/rtmp/src/nest/stream-key-verifier';
import { MediaPacket } from '../../libs/rtmp/src/media/media-packet';
import { announceOnceListening, LatencySummary, memoryCounters, serveParent } from './ipc';
import { quantile } from '../support/util';

/** Room for every sample of a run (10 streams x 20 s x ~75 packets/s is about 15,000). */
const MAX_SAMPLES = 1_000_000;

class Samples {
  private readonly values = new Float64Array(MAX_SAMPLES);
  private count = 0;

  add(nanoseconds: bigint): void {
    if (this.count < MAX_SAMPLES) this.values[this.count++] = Number(nanoseconds) / 1000;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.count).sort();
    const at = (q: number): number => quantile(sorted, q);
    return {
      samples: sorted.length,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      p999: at(0.999),
      max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    };
  }
}

let dataStamp = 0n;
subscribe('net.server.socket', (message) => {
  const { socket } = message as { socket: Socket };
  socket.prependListener('data', () => {
    dataStamp = process.hrtime.bigint();
  });
});

const stamps = new WeakMap<MediaPacket, bigint>();
const listenerSamples = new Samples();
const observableSamples = new Samples();

@Module({
  imports: [
    RtmpModule.forRoot({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      verifier: AllowAllStreamKeyVerifier,
    }),
  ],
})
class LatencyBenchModule {}

/** Starts the application; resolves with the port it listens on. */
async function main(): Promise<{ port: number }> {
  const app = await NestFactory.createApplicationContext(LatencyBenchModule, { logger: false });
  const rtmp = app.get(RtmpServerService);
  rtmp.streamStarted$.subscribe((stream) => {
    liveStreamOf(rtmp, stream.app, stream.name)?.onPacket((packet) => {
      stamps.set(packet, dataStamp);
      listenerSamples.add(process.hrtime.bigint() - dataStamp);
    });
    rtmp.packets(stream.app, stream.name).subscribe((packet) => {
      const stamp = stamps.get(packet);
      // Metadata and sequence headers replayed at subscription have no stamp.
      if (stamp !== undefined) observableSamples.add(process.hrtime.bigint() - stamp);
    });
  });
  serveParent({
    counters: () => ({
      bytesIn: 0,
      connections: 0,
      streams: [],
      ...memoryCounters(),
    }),
    latency: () => ({
      listener: listenerSamples.summary(),
      observable: observableSamples.summary(),
    }),
    stop: () => app.close(),
  });
  return { port: rtmp.address()?.port ?? 0 };
}

announceOnceListening(main(), 'this repository');
