/*
 * This library's RtmpServer in a process of its own, for the benchmarks: accepts every publish,
 * and a consumer counts the packets and bytes of each stream. The bench measures this process's
 * CPU and memory from /proc and asks it for its counts over IPC (see ./ipc.ts).
 *
 *   node .bench-work/build/bench/servers/nestjs-rtmp-server.js ['{"gopCache":false}']
 *   (compiled by the bench, see compileServers)
 */
import { LiveStream } from '../../libs/rtmp/src/server/live-stream';
import { RtmpServer } from '../../libs/rtmp/src/server/rtmp-server';
import { StreamVerdicts } from '../../libs/rtmp/src/server/stream-request';
import {
  announceOnceListening,
  countSocketReads,
  memoryCounters,
  serveParent,
  StreamCount,
} from './ipc';

interface Counting {
  readonly stream: LiveStream;
  audio: number;
  video: number;
  metadata: number;
  ended?: string;
  /** A counters reply showed it ended: the parent has seen its final counts. */
  reportedEnded?: boolean;
}

// Bytes on the wire: the server does not count its own.
const reads = countSocketReads();

let streams: Counting[] = [];

const silent = (): void => undefined;
const server = new RtmpServer(
  {
    port: 0,
    host: '127.0.0.1',
    // The idle-connection scenario holds 1000 connections from one address, connected but
    // never publishing, for a while.
    maxConnections: 10_000,
    maxConnectionsPerAddress: 10_000,
    connectToPublishTimeoutMs: 600_000,
    // More options, as JSON: the bench's variants (argument) and experiments (environment).
    ...(JSON.parse(process.argv[2] ?? '{}') as object),
    ...(JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as object),
  },
  {
    verifyRequest: () => StreamVerdicts.accept(),
    logger: { log: silent, warn: silent, error: (message) => process.stderr.write(`${message}\n`) },
  },
);

server.onStreamStart((stream) => {
  const counting: Counting = { stream, audio: 0, video: 0, metadata: 0 };
  streams.push(counting);
  stream.onPacket((packet) => {
    if (packet.type === 'video') counting.video += 1;
    else if (packet.type === 'audio') counting.audio += 1;
    else counting.metadata += 1;
  });
  stream.onEnd((end) => (counting.ended = end.reason));
});

function countOf(counting: Counting): StreamCount {
  const { stream, audio, video, metadata, ended } = counting;
  return { name: stream.name, audio, video, metadata, ended };
}

serveParent({
  counters: () => {
    let gopCacheBytes = 0;
    for (const counting of streams) {
      counting.reportedEnded ||= counting.ended !== undefined;
      if (counting.ended === undefined) gopCacheBytes += counting.stream.gopCacheSize.bytes;
    }
    return {
      bytesIn: reads.bytesIn(),
      connections: server.connectionCount,
      streams: streams.map(countOf),
      ...memoryCounters(),
      gopCacheBytes,
    };
  },
  // Only the streams a counters reply already showed ended: one that ends between the parent's
  // counters and forget-streams requests stays for the next reply (the soak counts every
  // publish once, while its publishers come and go).
  forgetStreams: () => {
    streams = streams.filter((counting) => counting.reportedEnded !== true);
  },
  stop: () => server.close(),
});

announceOnceListening(server.listen(), 'this repository');
