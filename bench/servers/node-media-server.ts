/*
 * node-media-server (installed by the bench into .bench-work/nms, never committed) in a process
 * of its own, configured as its README shows but RTMP only: no HTTP, no RTMPS, no recording,
 * no auth. For the published streams, a wrapper around each session's packet callback counts
 * packets and bytes, as the consumer in ./nestjs-rtmp-server.ts does for ours.
 *
 *   node .bench-work/build/bench/servers/node-media-server.js <nms-dir> <port> <data-dir>
 *   (compiled by the bench, see compileServers)
 */
import { join } from 'path';
import { announceReady, memoryCounters, serveParent, StreamCount } from './ipc';

/** The parts of node-media-server 4.x this launcher touches. */
interface NmsPacket {
  readonly codec_type: number;
}
interface NmsSession {
  readonly id: string;
  readonly streamName?: string;
  readonly rtmp?: { onPacketCallback: (packet: NmsPacket) => void };
}
interface NmsContext {
  readonly sessions: Map<string, unknown>;
  readonly networkStats: { inBytes: number };
  readonly eventEmitter: {
    on(event: string, listener: (session: NmsSession) => void): void;
  };
}
interface NodeMediaServer {
  readonly rtmpServer: { tcpServer?: import('net').Server };
  run(): Promise<void>;
  stop(): Promise<void>;
}

const [nmsDir, portText, dataDir] = process.argv.slice(2);
const packageDir = join(nmsDir, 'node_modules', 'node-media-server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeMediaServerClass = require(packageDir) as new (config: object) => NodeMediaServer;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Context = require(join(packageDir, 'src', 'core', 'context.js')) as NmsContext;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const version = (require(join(packageDir, 'package.json')) as { version: string }).version;

interface Counting {
  name: string;
  audio: number;
  video: number;
  metadata: number;
  ended?: string;
}
let streams: Counting[] = [];
const bySession = new Map<string, Counting>();

Context.eventEmitter.on('postPublish', (session) => {
  const rtmp = session.rtmp;
  if (rtmp === undefined) return;
  const counting: Counting = {
    name: session.streamName ?? '',
    audio: 0,
    video: 0,
    metadata: 0,
  };
  streams.push(counting);
  bySession.set(session.id, counting);
  const deliver = rtmp.onPacketCallback;
  rtmp.onPacketCallback = (packet) => {
    if (packet.codec_type === 9) counting.video += 1;
    else if (packet.codec_type === 8) counting.audio += 1;
    else counting.metadata += 1;
    deliver(packet);
  };
});
Context.eventEmitter.on('donePublish', (session) => {
  const counting = bySession.get(session.id);
  if (counting !== undefined) counting.ended = 'done';
  bySession.delete(session.id);
});

const nms = new NodeMediaServerClass({
  bind: '127.0.0.1',
  rtmp: { port: Number(portText) },
  store: { path: dataDir },
});

serveParent({
  counters: () => ({
    bytesIn: Context.networkStats.inBytes,
    connections: Context.sessions.size,
    streams: streams.map((counting): StreamCount => ({ ...counting })),
    ...memoryCounters(),
  }),
  forgetStreams: () => {
    streams = streams.filter((counting) => counting.ended === undefined);
  },
  stop: () => nms.stop(),
});

nms.rtmpServer.tcpServer?.once('listening', () => announceReady(Number(portText), version));
void nms.run();
