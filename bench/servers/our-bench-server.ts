/*
 * What the bench servers of ours share: the bare RtmpServer (./nestjs-rtmp-server.ts) and the
 * same through a Nest application (./nest-app-server.ts) run with the same options, count each
 * stream's packets the same way and answer the parent (./ipc.ts) with the same counters.
 */
import { MediaPacket } from '../../libs/rtmp/src/media/media-packet';
import { RtmpServerOptions } from '../../libs/rtmp/src/server/rtmp-server.options';
import { memoryCounters, serveParent, SocketReads, StreamCount } from './ipc';

/**
 * The options ours runs with in the bench: on loopback, on a free port, limits raised for the
 * idle-connection scenario (1000 connections from one address, connected but never
 * publishing, for a while); then more as JSON: the variant's (first argument) and an
 * experiment's (BENCH_SERVER_OPTIONS).
 */
export function benchServerOptions(): Partial<RtmpServerOptions> {
  return {
    port: 0,
    host: '127.0.0.1',
    maxConnections: 10_000,
    maxConnectionsPerAddress: 10_000,
    connectToPublishTimeoutMs: 600_000,
    ...(JSON.parse(process.argv[2] ?? '{}') as object),
    ...(JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as object),
  };
}

/** One publish, as a consumer of ours counted it. */
export class CountedStream {
  audio = 0;
  video = 0;
  metadata = 0;
  /** Payload bytes, where a second consumer counts them (the Nest path); not reported. */
  payloadBytes = 0;
  /** Why it ended; undefined while live. */
  ended: string | undefined;
  /** A report showed it ended: the parent has seen its final counts. */
  reportedEnded = false;

  constructor(
    readonly name: string,
    /** Payload bytes in its GOP cache now. */
    readonly gopCacheBytes: () => number,
  ) {}

  count(packet: MediaPacket): void {
    if (packet.type === 'video') this.video += 1;
    else if (packet.type === 'audio') this.audio += 1;
    else this.metadata += 1;
  }

  toCount(): StreamCount {
    const { name, audio, video, metadata, ended } = this;
    return { name, audio, video, metadata, ended };
  }
}

/** Every publish since the parent last asked to forget the ended ones. */
export class StreamCounts {
  private streams: CountedStream[] = [];

  /** A publish that starts now; `gopCacheBytes`: what its GOP cache holds now. */
  add(name: string, gopCacheBytes: () => number): CountedStream {
    const stream = new CountedStream(name, gopCacheBytes);
    this.streams.push(stream);
    return stream;
  }

  /** The counts, and the GOP caches of the live streams; notes which ended ones were shown. */
  report(): { streams: StreamCount[]; gopCacheBytes: number } {
    let gopCacheBytes = 0;
    for (const stream of this.streams) {
      stream.reportedEnded ||= stream.ended !== undefined;
      if (stream.ended === undefined) gopCacheBytes += stream.gopCacheBytes();
    }
    return { streams: this.streams.map((stream) => stream.toCount()), gopCacheBytes };
  }

  /**
   * Only the streams a report already showed ended: one that ends between the parent's
   * counters and forget-streams requests stays for the next report (the soak counts every
   * publish once, while its publishers come and go).
   */
  forgetEnded(): void {
    this.streams = this.streams.filter((stream) => !stream.reportedEnded);
  }
}

/**
 * Answers the parent for a server of ours: bytes read from its sockets (`reads`, which must
 * follow them from before the server listens), what `counts` holds, its memory.
 */
export function serveOurCounters(
  counts: StreamCounts,
  reads: SocketReads,
  server: {
    /** Connections open now; by default the accepted sockets still open. */
    readonly connections?: () => number;
    readonly stop: () => Promise<void>;
  },
): void {
  serveParent({
    counters: () => ({
      bytesIn: reads.bytesIn(),
      connections: (server.connections ?? reads.open)(),
      ...counts.report(),
      ...memoryCounters(),
    }),
    forgetStreams: () => counts.forgetEnded(),
    stop: server.stop,
  });
}
