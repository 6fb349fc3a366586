import { subscribe } from 'diagnostics_channel';
import { Socket } from 'net';
import { getHeapSpaceStatistics } from 'v8';
import { announceReady as announceToParent, answerParent } from '../support/parent-channel';

/*
 * What the bench (the parent) and a server it runs in a child process say to each other over
 * Node's IPC channel. The children are Node servers: ours and node-media-server. With
 * BENCH_BASELINE the bench also runs another commit's servers, built from that commit's own
 * copy of this file: change these messages only in ways such a copy still answers.
 */

/** What a server counted for one publish. */
export interface StreamCount {
  readonly name: string;
  readonly audio: number;
  readonly video: number;
  readonly metadata: number;
  /** Why it ended; undefined while live. */
  readonly ended?: string;
}

export interface ServerCounters {
  /** Bytes read from client sockets since the server started (the wire, chunk headers included). */
  readonly bytesIn: number;
  /** Connections open now. */
  readonly connections: number;
  /** Publishes seen since the last `forget-streams`, live or ended. */
  readonly streams: readonly StreamCount[];
  /** V8 heap used plus external memory (Buffers), bytes, after a full GC when `gc` came first. */
  readonly heapAndExternal: number;
  /** Resident bytes of V8's young generation (new space), which V8 grows under load. */
  readonly youngGeneration: number;
  /**
   * The parts of `process.memoryUsage()`, bytes (the soak samples them): V8 heap used, memory
   * outside the heap that V8 tracks (Buffers), and of that the ArrayBuffers. Optional: only
   * the servers that report them (ours and node-media-server) fill them.
   */
  readonly heapUsed?: number;
  readonly external?: number;
  readonly arrayBuffers?: number;
  /** Ours: payload bytes held in the GOP caches of the streams live now. */
  readonly gopCacheBytes?: number;
}

/** Latency samples of one way of consuming packets, in microseconds. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface LatencyReport {
  /** A plain LiveStream.onPacket listener: the session's own parsing and dispatch. */
  readonly listener: LatencySummary;
  /** RtmpServerService.packets(): through the subscriber's BoundedPacketQueue. */
  readonly observable: LatencySummary;
}

export interface ParentRequest {
  readonly type: 'counters' | 'latency' | 'gc' | 'forget-streams' | 'stop';
}

/** What a server says once it listens. */
export interface ServerReady {
  readonly port: number;
  readonly version: string;
}

/** What its reply to a request holds, besides the request's id. */
interface ReplyFields {
  readonly counters?: ServerCounters;
  readonly latency?: LatencyReport;
}

/**
 * In a child: answers the parent's requests. `stop` ends the process (profiles get written).
 * Without `forgetStreams`, the server keeps no streams to forget.
 */
export function serveParent(handlers: {
  counters(): ServerCounters;
  forgetStreams?(): void;
  stop(): Promise<void>;
  latency?(): LatencyReport;
}): void {
  answerParent<ParentRequest>(async (request): Promise<ReplyFields> => {
    switch (request.type) {
      case 'counters':
        return { counters: handlers.counters() };
      case 'gc':
        (globalThis as { gc?: () => void }).gc?.();
        return { counters: handlers.counters() };
      case 'latency':
        return { latency: handlers.latency?.() };
      case 'forget-streams':
        handlers.forgetStreams?.();
        return {};
      case 'stop':
        await handlers.stop();
        // Let the reply leave before exiting; exiting normally writes a --cpu-prof profile.
        setTimeout(() => process.exit(0), 50);
        return {};
    }
  });
}

export function announceReady(port: number, version: string): void {
  announceToParent({ port, version } satisfies ServerReady);
}

/** Announces the port `listening` resolves with; a server that cannot listen ends the process. */
export function announceOnceListening(
  listening: Promise<{ readonly port: number }>,
  version: string,
): void {
  listening.then(
    (address) => announceReady(address.port, version),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** The memory fields of {@link ServerCounters}, now. */
export function memoryCounters(): Pick<
  ServerCounters,
  'heapAndExternal' | 'youngGeneration' | 'heapUsed' | 'external' | 'arrayBuffers'
> {
  const { heapUsed, external, arrayBuffers } = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return {
    heapAndExternal: heapUsed + external,
    youngGeneration: newSpace?.physical_space_size ?? 0,
    heapUsed,
    external,
    arrayBuffers,
  };
}

/** Bytes read by the sockets a process's servers accepted, and the sockets open now. */
export interface SocketReads {
  bytesIn(): number;
  open(): number;
}

/**
 * Bytes read by every socket this process's servers accept, on the wire (chunk headers
 * included), through the \`net.server.socket\` diagnostics channel; and the sockets open now.
 */
export function countSocketReads(): SocketReads {
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  subscribe('net.server.socket', (message) => {
    const { socket } = message as { socket: Socket };
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      closedBytes += socket.bytesRead;
    });
  });
  return {
    bytesIn: () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, closedBytes),
    open: () => sockets.size,
  };
}
