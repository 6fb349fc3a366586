/*
 * This library's RtmpServer in a process of its own, for the benchmarks: accepts every publish,
 * and a consumer counts the packets of each stream. The bench measures this process's CPU and
 * memory from /proc and asks it for its counts over IPC (see ./ipc.ts).
 *
 *   node .bench-work/build/bench/servers/nestjs-rtmp-server.js ['{"gopCache":false}']
 *   (compiled by the bench, see compileServers)
 */
import { RtmpServer } from '../../libs/rtmp/src/server/rtmp-server';
import { StreamVerdicts } from '../../libs/rtmp/src/server/stream-request';
import { announceOnceListening, countSocketReads } from './ipc';
import { benchServerOptions, serveOurCounters, StreamCounts } from './our-bench-server';

// Bytes on the wire: the server does not count its own.
const reads = countSocketReads();
const counts = new StreamCounts();
const silent = (): void => undefined;
const server = new RtmpServer(benchServerOptions(), {
  verifyRequest: () => StreamVerdicts.accept(),
  logger: { log: silent, warn: silent, error: (message) => process.stderr.write(`${message}\n`) },
});

server.onStreamStart((stream) => {
  const counted = counts.add(stream.name, () => stream.gopCacheSize.bytes);
  stream.onPacket((packet) => counted.count(packet));
  stream.onEnd((end) => (counted.ended = end.reason));
});

serveOurCounters(counts, reads, {
  connections: () => server.connectionCount,
  stop: () => server.close(),
});

announceOnceListening(server.listen(), 'this repository');
