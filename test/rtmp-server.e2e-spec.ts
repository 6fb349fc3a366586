import { createHook } from 'async_hooks';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  LiveStream,
  MediaPacket,
  StreamDecision,
  StreamRequest,
  StreamVerdict,
  StreamVerdicts,
  RequestVerifier,
  RtmpError,
  RtmpErrorCode,
  RtmpServer,
  RtmpServerOptions,
  StreamEnd,
} from '../libs/rtmp/src';
import {
  encodeCloseStream,
  encodeCommand,
  encodeCreateStream,
  encodeDeleteStream,
  encodeFCUnpublish,
  encodePublish,
} from '../libs/rtmp/src/protocol/command';
import {
  AacPacketType,
  AvcPacketType,
  buildExVideoHeader,
  buildLegacyAudioHeader,
  buildLegacyVideoHeader,
  SoundFormat,
  VideoCodecId,
  VideoFrameType,
  VideoPacketType,
} from '../libs/rtmp/src/protocol/flv';
import {
  createAggregateMessage,
  createSetChunkSizeMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
  decodeAcknowledgement,
  decodeUserControl,
  encodeAggregate,
  MessageType,
  RtmpMessage,
} from '../libs/rtmp/src/protocol/message';
import { killAllProcesses } from './support/child-processes';
import { publishWithFfmpeg } from './support/ffmpeg';
import { ScriptedRtmpClient, SocketOptions } from './support/scripted-rtmp-client';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';

/*
 * Session behaviour and limits of the ingest server, over real sockets on 127.0.0.1. Each test
 * that needs particular limits or timeouts starts its own server with small values (150-300
 * ms), so the suite stays fast; everything else waits on events (socket close, message
 * arrival, stream end), never on fixed sleeps, except where time passing is the point.
 */

/** Every line any server in this file logged, for the key-leak check at the end. */
const allLogs: string[] = [];
/** Every stream key used in this file: long and distinctive, so a leak would be obvious. */
const usedKeys = new Set<string>();

function secretKey(label: string): string {
  const key = `secret-${label}-key-1234567890`;
  usedKeys.add(key);
  return key;
}

// Media the scripted publishers send: AAC and AVC with fake codec data (the server parses the
// FLV header only, never the codec data).
const AUDIO_FRAME = Buffer.concat([
  buildLegacyAudioHeader({ soundFormat: SoundFormat.Aac, packetType: AacPacketType.Raw }),
  Buffer.from('21100500', 'hex'),
]);
const VIDEO_KEY_FRAME = Buffer.concat([
  buildLegacyVideoHeader({
    frameType: VideoFrameType.KeyFrame,
    codecId: VideoCodecId.Avc,
    packetType: AvcPacketType.Nalu,
  }),
  Buffer.from('0000000465888480', 'hex'),
]);
const VIDEO_INTER_FRAME = Buffer.concat([
  buildLegacyVideoHeader({
    frameType: VideoFrameType.InterFrame,
    codecId: VideoCodecId.Avc,
    packetType: AvcPacketType.Nalu,
  }),
  Buffer.from('00000004419a2020', 'hex'),
]);

// ---------------------------------------------------------------------------------------------
// Harness: servers, clients and sockets are tracked and released after each test (or suite).

interface TestServer {
  readonly server: RtmpServer;
  readonly port: number;
  /** What this server logged, every level. */
  readonly logs: string[];
}

/** Things to release, in order: pumps stop, sockets close, then servers close. */
class Resources {
  private readonly pumps: MediaPump[] = [];
  private readonly sockets: Socket[] = [];
  private readonly servers: RtmpServer[] = [];

  async server(
    options: Partial<RtmpServerOptions> = {},
    verifyRequest: RequestVerifier = () => StreamVerdicts.accept(),
  ): Promise<TestServer> {
    const logs: string[] = [];
    const record = (message: string): void => {
      logs.push(message);
      allLogs.push(message);
    };
    const server = new RtmpServer(
      { port: 0, host: '127.0.0.1', ...options },
      { verifyRequest, logger: { log: record, warn: record, error: record, debug: record } },
    );
    this.servers.push(server);
    const { port } = await server.listen();
    return { server, port, logs };
  }

  async client(port: number, options: SocketOptions = {}): Promise<ScriptedRtmpClient> {
    const client = await ScriptedRtmpClient.connect(port, options);
    this.sockets.push(client.socket);
    return client;
  }

  async rawSocket(port: number, options: SocketOptions = {}): Promise<WatchedSocket> {
    const socket = await ScriptedRtmpClient.openSocket(port, options);
    this.sockets.push(socket);
    return watch(socket);
  }

  pump(client: ScriptedRtmpClient, streamId: number, intervalMs = 5): MediaPump {
    const pump = new MediaPump(client, streamId, intervalMs);
    this.pumps.push(pump);
    return pump;
  }

  async release(): Promise<void> {
    for (const pump of this.pumps.splice(0)) pump.stop();
    for (const socket of this.sockets.splice(0)) socket.destroy();
    await Promise.all(this.servers.splice(0).map((server) => server.close()));
  }
}

/** A raw socket with its received byte count and its close as a promise. */
interface WatchedSocket {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  bytesReceived(): number;
}

function watch(socket: Socket): WatchedSocket {
  let bytes = 0;
  socket.on('data', (data: Buffer) => (bytes += data.length));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed, bytesReceived: () => bytes };
}

/** Sends a video and an audio frame every few milliseconds, like a live encoder. */
class MediaPump {
  private readonly timer: NodeJS.Timeout;
  private timestamp = 0;
  private frames = 0;

  constructor(
    private readonly client: ScriptedRtmpClient,
    private readonly streamId: number,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => {
      if (this.client.closed) return;
      const video = this.frames % 25 === 0 ? VIDEO_KEY_FRAME : VIDEO_INTER_FRAME;
      this.client.sendMedia(this.streamId, MessageType.Video, this.timestamp, video);
      this.client.sendMedia(this.streamId, MessageType.Audio, this.timestamp, AUDIO_FRAME);
      this.timestamp += intervalMs;
      this.frames += 1;
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Resolves with the next stream named `name` that the server starts. */
function nextStream(server: RtmpServer, name: string): Promise<LiveStream> {
  return new Promise((resolve) => {
    const stop = server.onStreamStart((stream) => {
      if (stream.name !== name) return;
      stop();
      resolve(stream);
    });
  });
}

function endOf(stream: LiveStream): Promise<StreamEnd> {
  return new Promise((resolve) => stream.onEnd(resolve));
}

/** What a test keeps of a packet: payloads are views into socket memory, so copied. */
type ReceivedPacket = MediaPacket & { readonly bytes: Buffer };

/**
 * Resolves with the next `count` packets of `stream`; rejects if the stream ends first or they
 * do not come within `timeoutMs`.
 */
function packetsArrive(
  stream: LiveStream,
  count: number,
  timeoutMs = 5_000,
): Promise<ReceivedPacket[]> {
  return new Promise((resolve, reject) => {
    const packets: ReceivedPacket[] = [];
    const finish = (): void => {
      stopPackets();
      stopEnd();
      clearTimeout(timer);
    };
    const stopPackets = stream.onPacket((packet) => {
      packets.push({ ...packet, bytes: Buffer.from(packet.payload) });
      if (packets.length < count) return;
      finish();
      resolve(packets);
    });
    const stopEnd = stream.onEnd((end) => {
      finish();
      reject(new Error(`${stream.key} ended (${end.reason}) while waiting for packets`));
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`only ${packets.length} of ${count} packets within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/** Publishes `key` on app `live` and returns the client, its stream id and the server's stream. */
async function publishStream(
  resources: Resources,
  { server, port }: TestServer,
  key: string,
): Promise<{ client: ScriptedRtmpClient; streamId: number; stream: LiveStream }> {
  const started = nextStream(server, key);
  const client = await resources.client(port);
  const { streamId, status } = await client.publish('live', key);
  expect(status.code).toBe('NetStream.Publish.Start');
  return { client, streamId, stream: await started };
}

/**
 * Starts counting the timers created from now on that are still pending (neither fired nor
 * cleared). `pending()` resolves once the hooks have caught up.
 */
function trackTimers(): { pending(): Promise<number>; stop(): void } {
  const live = new Set<number>();
  const hook = createHook({
    init: (id, type) => {
      if (type === 'Timeout') live.add(id);
    },
    destroy: (id) => live.delete(id),
  }).enable();
  return {
    pending: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return live.size;
    },
    stop: () => hook.disable(),
  };
}

/** For tests about time passing only. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for a condition that no event announces (server-side counters). */
async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A ping round trip: once the answer is in, the server has read everything sent before. */
async function barrier(client: ScriptedRtmpClient, timestamp: number): Promise<void> {
  client.send(createUserControlMessage({ kind: 'pingRequest', timestamp }));
  await client.waitFor((m) => isPingResponse(m, timestamp));
}

function isPingResponse(message: RtmpMessage, timestamp: number): boolean {
  if (message.typeId !== MessageType.UserControl) return false;
  const event = decodeUserControl(message.payload);
  return event.kind === 'pingResponse' && event.timestamp === timestamp;
}

/** C0 (version 3) and a C1 of random bytes with a zero version: a simple handshake. */
function c0c1(): Buffer {
  const bytes = randomBytes(1537);
  bytes[0] = 3;
  bytes.fill(0, 1, 9);
  return bytes;
}

/** A fmt 0 chunk header on csid 4 announcing a message of `length` bytes. */
function bigMessageHeader(length: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x04; // fmt 0, csid 4
  header.writeUIntBE(0, 1, 3); // timestamp
  header.writeUIntBE(length, 4, 3);
  header[7] = MessageType.Video;
  header.writeUInt32LE(1, 8);
  return header;
}

/** Empty fmt 0 messages on `count` fresh chunk stream ids (3-byte basic headers from 64). */
function freshChunkStreams(count: number): Buffer {
  const chunk = 3 + 11;
  const bytes = Buffer.alloc(count * chunk);
  for (let i = 0; i < count; i += 1) {
    const offset = i * chunk;
    bytes[offset] = 0x01; // fmt 0, the 3-byte csid form
    bytes.writeUInt16LE(i, offset + 1); // csid = 64 + i
    bytes[offset + 10] = MessageType.Audio; // length 0, timestamp 0, msid 0
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------

describe('RtmpServer sessions', () => {
  const resources = new Resources();
  afterEach(() => resources.release());

  describe('one publisher per stream', () => {
    it('rejects a second publisher of a live stream as BadName and keeps the first', async () => {
      const target = await resources.server({ stalePublisherTimeoutMs: 60_000 });
      const key = secretKey('busy');
      const first = await publishStream(resources, target, key);
      const second = await resources.client(target.port);
      const { status } = await second.publish('live', key);
      expect(status).toMatchObject({
        level: 'error',
        code: 'NetStream.Publish.BadName',
        description: 'Already publishing',
      });
      await second.whenClosed();
      expect(first.client.closed).toBe(false);
      expect(target.server.liveStreams()).toEqual([first.stream]);
    });

    it('lets a newcomer replace a publisher silent for stalePublisherTimeoutMs', async () => {
      const staleMs = 200;
      const target = await resources.server({
        stalePublisherTimeoutMs: staleMs,
        idleMediaTimeoutMs: 30_000,
      });
      const key = secretKey('stale');
      const first = await publishStream(resources, target, key);
      const firstEnd = endOf(first.stream);
      const arrived = packetsArrive(first.stream, 1);
      first.client.sendMedia(first.streamId, MessageType.Video, 0, VIDEO_KEY_FRAME);
      await arrived;

      // The first publisher now goes silent, as one behind a dropped network would.
      await sleep(staleMs * 1.5);
      const second = await publishStream(resources, target, key);

      const unpublished = await first.client.waitForStatus();
      expect(unpublished).toMatchObject({ level: 'status', code: 'NetStream.Unpublish.Success' });
      await first.client.whenClosed();
      expect(await firstEnd).toEqual({ reason: 'replaced' });
      expect(target.server.liveStreams()).toEqual([second.stream]);
      expect(target.logs.some((line) => line.includes('replaced by a new publisher'))).toBe(true);

      // The newcomer is served normally.
      const next = packetsArrive(second.stream, 2);
      second.client.sendMedia(second.streamId, MessageType.Video, 0, VIDEO_KEY_FRAME);
      second.client.sendMedia(second.streamId, MessageType.Audio, 0, AUDIO_FRAME);
      expect((await next).map((p) => p.type)).toEqual(['video', 'audio']);
      expect(second.stream.ended).toBeUndefined();
    });

    it('keeps a publisher that is still sending media and refuses the newcomer', async () => {
      const staleMs = 150;
      const target = await resources.server({ stalePublisherTimeoutMs: staleMs });
      const key = secretKey('lively');
      const first = await publishStream(resources, target, key);
      resources.pump(first.client, first.streamId, 10);
      // Longer than the stale timeout, with media flowing all along.
      await sleep(staleMs * 2);

      const second = await resources.client(target.port);
      const { status } = await second.publish('live', key);
      expect(status).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
      await second.whenClosed();
      await packetsArrive(first.stream, 10);
      expect(first.client.closed).toBe(false);
      expect(first.stream.ended).toBeUndefined();
      expect(target.server.liveStreams()).toEqual([first.stream]);
    });
  });

  describe('timeouts', () => {
    const timeoutMs = 200;
    /** How much later than its timeout a close may come on a busy 2-core machine. */
    const slackMs = 1_000;

    it.each([
      ['sends nothing', Buffer.alloc(0)],
      ['sends C0 and half a C1', c0c1().subarray(0, 1 + 768)],
    ])('closes a connection that %s after handshakeTimeoutMs', async (_, bytes) => {
      const target = await resources.server({ handshakeTimeoutMs: timeoutMs });
      const raw = await resources.rawSocket(target.port);
      const start = performance.now();
      if (bytes.length > 0) raw.socket.write(bytes);
      await raw.closed;
      const elapsed = performance.now() - start;
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs * 0.9);
      expect(elapsed).toBeLessThan(timeoutMs + slackMs);
      expect(raw.bytesReceived()).toBe(0);
      expect(target.logs.join('\n')).toContain('RTMP_ERR_SESSION_HANDSHAKE_TIMEOUT');
    });

    it('closes a connection that connects but never publishes after connectToPublishTimeoutMs', async () => {
      const target = await resources.server({ connectToPublishTimeoutMs: timeoutMs });
      const client = await resources.client(target.port);
      const start = performance.now();
      await client.connectApp('live');
      await client.whenClosed();
      const elapsed = performance.now() - start;
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs * 0.9);
      expect(elapsed).toBeLessThan(timeoutMs + slackMs);
      expect(target.logs.join('\n')).toContain('RTMP_ERR_SESSION_PUBLISH_TIMEOUT');
    });

    it('ends a publisher that goes silent after idleMediaTimeoutMs, as an error', async () => {
      const target = await resources.server({ idleMediaTimeoutMs: timeoutMs });
      const publisher = await publishStream(resources, target, secretKey('idle'));
      const ended = endOf(publisher.stream);
      const arrived = packetsArrive(publisher.stream, 1);
      publisher.client.sendMedia(publisher.streamId, MessageType.Video, 0, VIDEO_KEY_FRAME);
      await arrived;
      const start = performance.now();

      const end = await ended;
      const elapsed = performance.now() - start;
      expect(end.reason).toBe('error');
      expect(end.error).toBeInstanceOf(RtmpError);
      expect((end.error as RtmpError).code).toBe('RTMP_ERR_SESSION_IDLE_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs * 0.9);
      expect(elapsed).toBeLessThan(timeoutMs + slackMs);
      await publisher.client.whenClosed();
      expect(target.logs.join('\n')).toContain('RTMP_ERR_SESSION_IDLE_TIMEOUT');
    });

    it('keeps a publisher that sends media for several idle timeouts', async () => {
      const target = await resources.server({ idleMediaTimeoutMs: timeoutMs });
      const publisher = await publishStream(resources, target, secretKey('steady'));
      resources.pump(publisher.client, publisher.streamId, 20);
      await sleep(timeoutMs * 3);
      await packetsArrive(publisher.stream, 4);
      expect(publisher.stream.ended).toBeUndefined();
      expect(publisher.client.closed).toBe(false);
    });
  });

  describe('connection limits', () => {
    it('when full, admits a newcomer in place of the oldest connection not yet accepted', async () => {
      const target = await resources.server({ maxConnections: 3 });
      const publisher = await publishStream(resources, target, secretKey('limit-total'));
      resources.pump(publisher.client, publisher.streamId);
      const fillers = [await resources.client(target.port), await resources.client(target.port)];
      await fillers[1].connectApp('live');
      expect(target.server.connectionCount).toBe(3);

      // The filler still before connect goes first, whatever its age; the publisher never.
      const newcomer = await resources.client(target.port);
      await fillers[0].whenClosed();
      expect(newcomer.closed).toBe(false);
      expect(fillers[1].closed).toBe(false);
      expect(target.server.connectionCount).toBe(3);
      expect(target.logs.join('\n')).toContain('refusing connections: displaced (maxConnections)');
      await packetsArrive(publisher.stream, 20);
      expect(publisher.stream.ended).toBeUndefined();
    });

    it('closes connections beyond maxConnections at once when every connection is accepted', async () => {
      const target = await resources.server({ maxConnections: 3 });
      const publishers = [
        await publishStream(resources, target, secretKey('full-1')),
        await publishStream(resources, target, secretKey('full-2')),
        await publishStream(resources, target, secretKey('full-3')),
      ];
      for (const publisher of publishers) resources.pump(publisher.client, publisher.streamId);
      expect(target.server.connectionCount).toBe(3);

      const extra = await resources.rawSocket(target.port);
      const start = performance.now();
      extra.socket.write(c0c1());
      await extra.closed;
      expect(performance.now() - start).toBeLessThan(1_000);
      expect(extra.bytesReceived()).toBe(0);
      expect(target.logs.join('\n')).toContain('refusing connections: maxConnections');
      expect(target.server.connectionCount).toBe(3);

      // A connection that leaves frees its place.
      await publishers[0].client.close();
      await waitUntil(() => target.server.connectionCount === 2);
      const again = await resources.client(target.port);
      expect(again.closed).toBe(false);
      expect(target.server.connectionCount).toBe(3);
      await packetsArrive(publishers[1].stream, 20);
      expect(publishers[1].stream.ended).toBeUndefined();
    });

    it('closes connections beyond maxConnectionsPerAddress from that address only', async () => {
      const target = await resources.server({ maxConnectionsPerAddress: 2 });
      const publisher = await publishStream(resources, target, secretKey('limit-address'));
      resources.pump(publisher.client, publisher.streamId);
      await resources.client(target.port);

      const extra = await resources.rawSocket(target.port);
      extra.socket.write(c0c1());
      await extra.closed;
      expect(extra.bytesReceived()).toBe(0);
      expect(target.logs.join('\n')).toContain('refusing connections: maxConnectionsPerAddress');

      // Another address (all of 127/8 is loopback on Linux) still gets in.
      const other = await resources.client(target.port, { localAddress: '127.0.0.2' });
      expect(other.closed).toBe(false);
      expect(target.server.connectionCount).toBe(3);
      await packetsArrive(publisher.stream, 20);
      expect(publisher.stream.ended).toBeUndefined();
    });
  });

  describe('hostile input closes only that connection', () => {
    const hostile = new Resources();
    let target: TestServer;
    let publisher: { client: ScriptedRtmpClient; streamId: number; stream: LiveStream };
    const maxMessageSize = 1024 * 1024;

    beforeAll(async () => {
      target = await hostile.server({ maxMessageSize });
      publisher = await publishStream(hostile, target, secretKey('bystander'));
      hostile.pump(publisher.client, publisher.streamId);
    });

    afterAll(() => hostile.release());

    /** Sends the attack; resolves with the socket to watch close. */
    type Attack = (port: number) => Promise<WatchedSocket>;

    const afterHandshake =
      (send: (client: ScriptedRtmpClient) => void): Attack =>
      async (port) => {
        const client = await resources.client(port);
        const watched = watch(client.socket);
        send(client);
        return watched;
      };

    const attacks: [string, string, Attack][] = [
      [
        'SetChunkSize 0x7FFFFFFF then a header claiming 16 MiB',
        'RTMP_ERR_CHUNK_SIZE_TOO_LARGE',
        afterHandshake((client) => {
          client.send(createSetChunkSizeMessage(0x7fffffff));
          client.sendRaw(Buffer.concat([bigMessageHeader(0xffffff), randomBytes(64 * 1024)]));
        }),
      ],
      [
        'a message longer than maxMessageSize',
        'RTMP_ERR_CHUNK_MESSAGE_TOO_LARGE',
        afterHandshake((client) => {
          client.send(createSetChunkSizeMessage(0xffffff));
          client.sendRaw(
            Buffer.concat([bigMessageHeader(maxMessageSize + 1), randomBytes(64 * 1024)]),
          );
        }),
      ],
      [
        'more chunk streams than maxChunkStreams (65,000 fresh csids)',
        'RTMP_ERR_CHUNK_STREAMS_EXCEEDED',
        afterHandshake((client) => client.sendRaw(freshChunkStreams(65_000))),
      ],
      [
        'garbage AMF in connect',
        'RTMP_ERR_AMF_UNKNOWN_MARKER',
        afterHandshake((client) =>
          // "connect", transaction 1, then a marker AMF0 does not define.
          client.sendCommand(Buffer.from('020007636f6e6e656374003ff0000000000000ff0102', 'hex')),
        ),
      ],
      [
        'publish before connect',
        'RTMP_ERR_SESSION_UNEXPECTED_COMMAND',
        afterHandshake((client) =>
          client.sendCommand(encodePublish(2, secretKey('too-early'), 'live'), 1, 4),
        ),
      ],
      [
        'a C0 that is not 3',
        'RTMP_ERR_HANDSHAKE_VERSION',
        async (port) => {
          const raw = await resources.rawSocket(port);
          const bytes = c0c1();
          bytes[0] = 6;
          raw.socket.write(bytes);
          return raw;
        },
      ],
    ];

    it('a ping flood from a peer that never reads the replies', async () => {
      const logsBefore = target.logs.length;
      const rssBefore = process.memoryUsage().rss;
      const client = await resources.client(target.port);
      const attacker = watch(client.socket);
      client.socket.pause();
      const ping = wire(client, createUserControlMessage({ kind: 'pingRequest', timestamp: 7 }));
      const batch = Buffer.concat(Array.from({ length: 10_000 }, () => ping));
      const refused = (): boolean =>
        target.logs
          .slice(logsBefore)
          .some((line) => line.includes('RTMP_ERR_SESSION_PEER_NOT_READING'));
      // The kernel's socket buffers take the first several MB of replies; after that each one
      // would wait in the server's memory, many times its size. The server gives up first.
      let sent = 0;
      while (!refused() && sent < 32 * 1024 * 1024) {
        await new Promise((resolve) => client.socket.write(batch, resolve));
        sent += batch.length;
      }
      expect(refused()).toBe(true);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
      // Drain (and drop) the replies, so the close can be seen.
      client.socket.removeAllListeners('data');
      client.socket.resume();
      await attacker.closed;
      await waitUntil(() => target.server.connectionCount === 1);
      await packetsArrive(publisher.stream, 20);
      expect(publisher.stream.ended).toBeUndefined();
      expect(publisher.client.closed).toBe(false);
    });

    it.each(attacks)('%s', async (_, code, attack) => {
      const logsBefore = target.logs.length;
      const rssBefore = process.memoryUsage().rss;
      const start = performance.now();
      const attacker = await attack(target.port);
      await attacker.closed;
      expect(performance.now() - start).toBeLessThan(2_000);
      expect(target.logs.slice(logsBefore).join('\n')).toContain(code);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
      await waitUntil(() => target.server.connectionCount === 1);
      await packetsArrive(publisher.stream, 20);
      expect(publisher.stream.ended).toBeUndefined();
      expect(publisher.client.closed).toBe(false);
    });
  });

  describe('control messages', () => {
    it('answers a PingRequest with a PingResponse carrying the same timestamp', async () => {
      const target = await resources.server();
      const client = await resources.client(target.port);
      const beforeConnect = 0xdeadbeef;
      client.send(createUserControlMessage({ kind: 'pingRequest', timestamp: beforeConnect }));
      const reply = await client.waitFor((m) => m.typeId === MessageType.UserControl);
      expect(decodeUserControl(reply.payload)).toEqual({
        kind: 'pingResponse',
        timestamp: beforeConnect,
      });
      expect(reply).toMatchObject({ chunkStreamId: 2, messageStreamId: 0 });

      // And while publishing, with media flowing.
      const publisher = await publishStream(resources, target, secretKey('ping'));
      resources.pump(publisher.client, publisher.streamId);
      const whilePublishing = 12_345;
      publisher.client.send(
        createUserControlMessage({ kind: 'pingRequest', timestamp: whilePublishing }),
      );
      const answer = await publisher.client.waitFor((m) => isPingResponse(m, whilePublishing));
      expect(decodeUserControl(answer.payload)).toEqual({
        kind: 'pingResponse',
        timestamp: whilePublishing,
      });
    });

    it('acknowledges a peer that announced a window with the bytes received so far', async () => {
      const windowSize = 10_000;
      const target = await resources.server();
      const client = await resources.client(target.port);
      await client.connectApp('live');
      client.send(createWindowAcknowledgementSizeMessage(windowSize));
      await barrier(client, 1);
      const acknowledgements = (): number[] =>
        client.received
          .filter((m) => m.typeId === MessageType.Acknowledgement)
          .map((m) => decodeAcknowledgement(m.payload));
      expect(client.socket.bytesWritten).toBeLessThan(windowSize);
      expect(acknowledgements()).toEqual([]);

      // Each crossing is one write, so it reaches the server as one read and the server's
      // count equals what this socket wrote. Media before a publish is read and ignored.
      for (const size of [8_000, windowSize + 500]) {
        const seen = acknowledgements().length;
        client.sendRaw(wire(client, filler(size)));
        await client.waitFor((m) => m.typeId === MessageType.Acknowledgement);
        expect(acknowledgements()).toHaveLength(seen + 1);
        expect(acknowledgements()[seen]).toBe(client.socket.bytesWritten);
      }
      expect(acknowledgements()[0]).toBeGreaterThan(windowSize);
      expect(acknowledgements()[1] - acknowledgements()[0]).toBeGreaterThanOrEqual(windowSize);
    });

    it('never acknowledges a peer that announced no window', async () => {
      const serverWindow = 5_000;
      const target = await resources.server({ windowAckSize: serverWindow });
      const client = await resources.client(target.port);
      await client.connectApp('live');
      for (let i = 0; i < 10; i += 1) client.sendRaw(wire(client, filler(6_000)));
      await barrier(client, 2);
      expect(client.socket.bytesWritten).toBeGreaterThan(10 * serverWindow);
      const announced = client.received.find(
        (m) => m.typeId === MessageType.WindowAcknowledgementSize,
      );
      expect(announced?.payload.readUInt32BE(0)).toBe(serverWindow);
      expect(client.received.filter((m) => m.typeId === MessageType.Acknowledgement)).toEqual([]);
    });
  });

  describe('media', () => {
    it('splits aggregate messages into their packets with their timestamps', async () => {
      const target = await resources.server();
      const { client, streamId, stream } = await publishStream(
        resources,
        target,
        secretKey('aggregate'),
      );
      const subMessages = [
        { typeId: MessageType.Audio, timestamp: 1_000, payload: AUDIO_FRAME },
        { typeId: MessageType.Video, timestamp: 1_000, payload: VIDEO_KEY_FRAME },
        { typeId: MessageType.Audio, timestamp: 1_023, payload: AUDIO_FRAME },
        { typeId: MessageType.Video, timestamp: 1_040, payload: VIDEO_INTER_FRAME },
      ];
      const arrived = packetsArrive(stream, 8);
      client.send(
        createAggregateMessage(subMessages, { chunkStreamId: 6, messageStreamId: streamId }),
      );
      // Stamped apart from its sub-messages: they keep their offsets from the first one.
      client.send({
        chunkStreamId: 6,
        messageStreamId: streamId,
        typeId: MessageType.Aggregate,
        timestamp: 50_000,
        payload: encodeAggregate(subMessages),
      });
      const packets = await arrived;
      expect(packets.map((p) => [p.type, p.timestamp])).toEqual([
        ['audio', 1_000],
        ['video', 1_000],
        ['audio', 1_023],
        ['video', 1_040],
        ['audio', 50_000],
        ['video', 50_000],
        ['audio', 50_023],
        ['video', 50_040],
      ]);
      const payloads = subMessages.map((m) => m.payload);
      expect(packets.map((p) => p.bytes)).toEqual([...payloads, ...payloads]);
      expect(stream.stats).toMatchObject({ audioPackets: 4, videoPackets: 4, keyFrames: 2 });
    });

    it('takes only media and data out of an aggregate, nested aggregates left alone', async () => {
      const target = await resources.server();
      const key = secretKey('aggregate-nested');
      const { client, streamId, stream } = await publishStream(resources, target, key);
      const logsBefore = target.logs.length;
      const innermost = encodeAggregate([
        { typeId: MessageType.Video, timestamp: 0, payload: VIDEO_INTER_FRAME },
      ]);
      const arrived = packetsArrive(stream, 2);
      client.send(
        createAggregateMessage(
          [
            { typeId: MessageType.Audio, timestamp: 0, payload: AUDIO_FRAME },
            // 50,000 aggregates deep: recursing into them would overflow the stack.
            {
              typeId: MessageType.Aggregate,
              timestamp: 0,
              payload: nestAggregates(50_000, innermost),
            },
            // A command has no business in an aggregate: obeyed, this one would unpublish.
            { typeId: MessageType.CommandAmf0, timestamp: 0, payload: encodeFCUnpublish(9, key) },
            { typeId: MessageType.Video, timestamp: 40, payload: VIDEO_KEY_FRAME },
          ],
          { chunkStreamId: 6, messageStreamId: streamId },
        ),
      );
      const packets = await arrived;
      expect(packets.map((p) => [p.type, p.timestamp])).toEqual([
        ['audio', 0],
        ['video', 40],
      ]);
      await barrier(client, 3);
      expect(stream.ended).toBeUndefined();
      expect(client.closed).toBe(false);
      expect(target.logs.slice(logsBefore).join('\n')).not.toContain('RTMP_ERR');
    });

    it('delivers Enhanced RTMP video parsed and drops a malformed header, counting it', async () => {
      const target = await resources.server();
      const { client, streamId, stream } = await publishStream(
        resources,
        target,
        secretKey('hevc'),
      );
      const logsBefore = target.logs.length;
      const config = Buffer.from('0101600000009000000000005af000fcfdf8f800000f', 'hex');
      const nalu = Buffer.from('00000006260101af0980', 'hex');
      const sequenceStart = Buffer.concat([
        buildExVideoHeader({
          frameType: VideoFrameType.KeyFrame,
          packetType: VideoPacketType.SequenceStart,
          fourCc: 'hvc1',
        }),
        config,
      ]);
      const keyFrame = Buffer.concat([
        buildExVideoHeader({
          frameType: VideoFrameType.KeyFrame,
          packetType: VideoPacketType.CodedFrames,
          fourCc: 'hvc1',
          compositionTime: 40,
        }),
        nalu,
      ]);
      const interFrame = Buffer.concat([
        buildExVideoHeader({
          frameType: VideoFrameType.InterFrame,
          packetType: VideoPacketType.CodedFramesX,
          fourCc: 'hvc1',
        }),
        nalu,
      ]);
      const cutLegacy = VIDEO_KEY_FRAME.subarray(0, 3); // AVC header cut in its composition time
      const cutEnhanced = sequenceStart.subarray(0, 3); // FourCC cut short

      const arrived = packetsArrive(stream, 4);
      client.sendMedia(streamId, MessageType.Video, 0, sequenceStart);
      client.sendMedia(streamId, MessageType.Video, 0, cutLegacy);
      client.sendMedia(streamId, MessageType.Video, 0, keyFrame);
      client.sendMedia(streamId, MessageType.Video, 33, cutEnhanced);
      client.sendMedia(streamId, MessageType.Video, 33, interFrame);
      client.sendMedia(streamId, MessageType.Audio, 33, AUDIO_FRAME);
      const [start, key, inter, audio] = await arrived;

      expect([start.type, key.type, inter.type, audio.type]).toEqual([
        'video',
        'video',
        'video',
        'audio',
      ]);
      const tags = [start, key, inter].map((p) => (p.type === 'video' ? p.tag : undefined));
      for (const tag of tags) {
        expect(tag).toMatchObject({ isExHeader: true, fourCc: 'hvc1', codec: 'hevc' });
      }
      expect(tags[0]).toMatchObject({ isSequenceHeader: true, body: config });
      expect(tags[1]).toMatchObject({ isKeyFrame: true, compositionTime: 40, body: nalu });
      expect(tags[2]).toMatchObject({ isKeyFrame: false, compositionTime: 0, body: nalu });

      expect(stream.stats).toMatchObject({ malformedPackets: 2, videoPackets: 3, keyFrames: 1 });
      expect(stream.sequenceHeaders.video?.tag.fourCc).toBe('hvc1');
      const dropped = target.logs.slice(logsBefore).filter((l) => l.includes('malformed media'));
      expect(dropped).toHaveLength(1); // logged once per stream, counted every time
      expect(dropped[0]).toContain('RTMP_ERR_TRUNCATED');

      // The stream goes on.
      const more = packetsArrive(stream, 1);
      client.sendMedia(streamId, MessageType.Video, 66, interFrame);
      await more;
      expect(stream.ended).toBeUndefined();
      expect(client.closed).toBe(false);
    });
  });

  describe('verifier faults fail closed', () => {
    const verifierTimeoutMs = 200;
    const faults: [string, string, (request: StreamRequest) => ReturnType<RequestVerifier>][] = [
      [
        'throws',
        'RTMP_ERR_VERIFIER_FAILED',
        (request) => {
          // A natural thing to write; the server must still keep the key out of its logs.
          throw new Error(`unknown stream key ${request.streamName}`);
        },
      ],
      [
        'rejects its promise',
        'RTMP_ERR_VERIFIER_FAILED',
        () => Promise.reject(new Error('key store unreachable')),
      ],
      ['never answers', 'RTMP_ERR_VERIFIER_TIMEOUT', () => new Promise<never>(() => undefined)],
      ['returns {}', 'RTMP_ERR_VERIFIER_INVALID_VERDICT', () => ({}) as StreamVerdict],
      [
        "returns 'yes'",
        'RTMP_ERR_VERIFIER_INVALID_VERDICT',
        () => 'yes' as unknown as StreamVerdict,
      ],
      [
        'returns a rejection without a reason',
        'RTMP_ERR_VERIFIER_INVALID_VERDICT',
        () => ({ accepted: false }) as StreamVerdict,
      ],
    ];

    it.each(faults)(
      'rejects the publish when the verifier %s, then serves the next one',
      async (label, code, fault) => {
        const slug = label.replace(/[^a-z]+/g, '-');
        const badKey = secretKey(`verifier-${slug}`);
        const goodKey = secretKey(`verifier-good-${slug}`);
        const calls: string[] = [];
        const target = await resources.server({ verifierTimeoutMs }, (request) => {
          calls.push(request.streamName);
          return request.streamName === badKey ? fault(request) : StreamVerdicts.accept();
        });
        const decisions: StreamDecision[] = [];
        target.server.onRequestDecision((decision) => decisions.push(decision));

        const bad = await resources.client(target.port);
        const start = performance.now();
        const { status } = await bad.publish('live', badKey);
        const elapsed = performance.now() - start;
        expect(status).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
        await bad.whenClosed();
        expect(elapsed).toBeGreaterThanOrEqual(
          code === 'RTMP_ERR_VERIFIER_TIMEOUT' ? verifierTimeoutMs * 0.9 : 0,
        );
        expect(target.logs.join('\n')).toContain(code);
        expect(target.server.liveStreams()).toEqual([]);

        const good = await publishStream(resources, target, goodKey);
        expect(target.server.liveStreams()).toEqual([good.stream]);
        expect(calls).toEqual([badKey, goodKey]);
        expect(decisions.map((d) => [d.request.streamName, d.verdict.accepted])).toEqual([
          [badKey, false],
          [goodKey, true],
        ]);
      },
    );
  });

  describe("the verifier's abort signal", () => {
    /** A verifier that never answers, and hands back the signal of each call. */
    function hangingVerifier(): { verifier: RequestVerifier; signals: Promise<AbortSignal> } {
      let resolveSignal: (signal: AbortSignal) => void = () => undefined;
      const signals = new Promise<AbortSignal>((resolve) => (resolveSignal = resolve));
      const verifier: RequestVerifier = (_request, signal) => {
        resolveSignal(signal);
        return new Promise<never>(() => undefined);
      };
      return { verifier, signals };
    }

    function abortReason(signal: AbortSignal): Promise<unknown> {
      return new Promise((resolve) =>
        signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
      );
    }

    it('is aborted with RTMP_ERR_VERIFIER_TIMEOUT when verifierTimeoutMs passes', async () => {
      const { verifier, signals } = hangingVerifier();
      const target = await resources.server({ verifierTimeoutMs: 150 }, verifier);
      const client = await resources.client(target.port);
      const publishing = client.publish('live', secretKey('abort-timeout'));
      const signal = await signals;
      expect(signal.aborted).toBe(false);
      const reason = await abortReason(signal);
      expect(reason).toBeInstanceOf(RtmpError);
      expect(reason).toMatchObject({ code: RtmpErrorCode.VerifierTimeout });
      expect((await publishing).status).toMatchObject({ code: 'NetStream.Publish.BadName' });
    });

    it('is aborted with RTMP_ERR_SESSION_SOCKET when the client leaves before the verdict', async () => {
      const { verifier, signals } = hangingVerifier();
      const target = await resources.server({ verifierTimeoutMs: 60_000 }, verifier);
      const client = await resources.client(target.port);
      void client.publish('live', secretKey('abort-left')).catch(() => undefined);
      const signal = await signals;
      const reason = abortReason(signal);
      await client.close();
      expect(await reason).toMatchObject({ code: RtmpErrorCode.SessionSocket });
    });
  });

  describe('budgets for peers not yet accepted', () => {
    it('reports a verdict that comes after the client left as an abandoned decision', async () => {
      let answer: (verdict: StreamVerdict) => void = () => undefined;
      const target = await resources.server(
        {},
        () => new Promise<StreamVerdict>((resolve) => (answer = resolve)),
      );
      const decisions: StreamDecision[] = [];
      target.server.onRequestDecision((decision) => decisions.push(decision));
      const client = await resources.client(target.port);
      void client.publish('live', secretKey('left-early')).catch(() => undefined);
      await waitUntil(() => target.server.connectionCount === 1 && answer.length === 1);
      await client.close();
      await waitUntil(() => target.server.connectionCount === 0);
      expect(decisions).toEqual([]);
      answer(StreamVerdicts.accept());
      await waitUntil(() => decisions.length === 1);
      expect(decisions[0]).toMatchObject({ verdict: { accepted: true }, abandoned: true });
      expect(target.server.liveStreams()).toEqual([]);
    });

    it('closes a connection that creates more streams than maxStreamsPerConnection', async () => {
      const target = await resources.server({ maxStreamsPerConnection: 3 });
      const client = await resources.client(target.port);
      await client.connectApp('live');
      for (let i = 0; i < 4; i++) client.sendCommand(encodeCreateStream(10 + i));
      await client.whenClosed();
      expect(target.logs.join('\n')).toContain(RtmpErrorCode.SessionTooManyStreams);
    });

    it('lets a connection delete streams and create new ones within maxStreamsPerConnection', async () => {
      const target = await resources.server({ maxStreamsPerConnection: 1 });
      const client = await resources.client(target.port);
      await client.connectApp('live');
      for (let i = 0; i < 5; i++) {
        client.sendCommand(encodeCreateStream(10 + i));
        client.sendCommand(encodeDeleteStream(0, i + 1));
      }
      const { status } = await client.createStreamAndPublish(secretKey('after-deletes'));
      expect(status.code).toBe('NetStream.Publish.Start');
      expect(client.closed).toBe(false);
    });

    it('past maxPendingMessageBytesTotal, closes the largest holder not yet accepted; the publisher goes on', async () => {
      const target = await resources.server({
        maxPendingMessageBytesTotal: 600_000,
        maxPendingMessageBytesBeforeAccept: 1024 * 1024,
      });
      const publisher = await publishStream(resources, target, secretKey('budget-bystander'));
      resources.pump(publisher.client, publisher.streamId);
      /** A client holding `bytes` of a command announced at 1 MiB - 1, unfinished. */
      const holder = async (bytes: number): Promise<ScriptedRtmpClient> => {
        const client = await resources.client(target.port);
        client.socket.write(wire(client, createSetChunkSizeMessage(0xffffff)));
        client.writer.setChunkSize(0xffffff);
        const header = Buffer.from([6, 0, 0, 0, 0x0f, 0xff, 0xff, 20, 0, 0, 0, 0]);
        client.socket.write(Buffer.concat([header, Buffer.alloc(bytes, 1)]));
        return client;
      };
      // What is held is the buffers, which grow by doubling: about 128 KiB for the small one and
      // 256 KiB for the large one; the newcomer's growing to about 256 KiB passes the bound.
      const small = await holder(100_000);
      const large = await holder(250_000);
      await waitUntil(() => target.server.pendingMessageBytes >= 350_000);
      const newcomer = await holder(200_000);
      await large.whenClosed();
      expect(small.closed).toBe(false);
      expect(newcomer.closed).toBe(false);
      expect(target.logs.join('\n')).toContain(RtmpErrorCode.ChunkServerPendingBytesExceeded);
      await waitUntil(() => target.server.pendingMessageBytes <= 600_000);
      await packetsArrive(publisher.stream, 10);
      expect(publisher.stream.ended).toBeUndefined();
    });
  });

  describe('verifier rejections', () => {
    it('sends the verdict code and reason, and logs the reason with the key masked', async () => {
      const key = secretKey('rejected');
      const target = await resources.server({}, (request) =>
        StreamVerdicts.reject(`stream key ${request.streamName} is banned`, 'Denied'),
      );
      const client = await resources.client(target.port);
      const { status } = await client.publish('live', key);
      expect(status).toMatchObject({
        level: 'error',
        code: 'NetStream.Publish.Denied',
        description: `stream key ${key} is banned`, // the publisher knows its own key
      });
      await client.whenClosed();
      expect(target.logs.join('\n')).toContain('rejected: stream key sec***(30) is banned');
    });
  });

  describe('close()', () => {
    it('tells every publisher, ends every stream, resolves once every socket is closed', async () => {
      const timers = trackTimers();
      const pendingKey = secretKey('close-pending');
      const lingeringKey = secretKey('close-lingering');
      const target = await resources.server({ verifierTimeoutMs: 60_000 }, (request) =>
        request.streamName === pendingKey
          ? new Promise<never>(() => undefined)
          : StreamVerdicts.accept(),
      );
      const plain = await publishStream(resources, target, secretKey('close-plain'));
      const pump = resources.pump(plain.client, plain.streamId);
      // This publisher keeps its side open after the server ends: close() must wait for it.
      const lingeringStarted = nextStream(target.server, lingeringKey);
      const lingeringClient = await resources.client(target.port, { allowHalfOpen: true });
      const lingeringPublish = await lingeringClient.publish('live', lingeringKey);
      expect(lingeringPublish.status.code).toBe('NetStream.Publish.Start');
      const lingering = await lingeringStarted;
      // One still waiting for its verdict, one that never finished its handshake.
      const verifying = await resources.client(target.port);
      await verifying.connectApp('live');
      verifying.sendCommand(encodePublish(9, pendingKey, 'live'), 1, 4);
      const handshaking = await resources.rawSocket(target.port);
      await waitUntil(() => target.server.connectionCount === 4);

      const ends = [endOf(plain.stream), endOf(lingering)];
      const lingeringEnded = new Promise<void>((resolve) =>
        lingeringClient.socket.once('end', resolve),
      );
      let closed = false;
      const closing = target.server.close().then(() => (closed = true));

      for (const client of [plain.client, lingeringClient]) {
        expect(await client.waitForStatus()).toMatchObject({
          level: 'status',
          code: 'NetStream.Unpublish.Success',
        });
      }
      expect(await Promise.all(ends)).toEqual([
        { reason: 'server-closed' },
        { reason: 'server-closed' },
      ]);
      await Promise.all([plain.client.whenClosed(), verifying.whenClosed(), handshaking.closed]);
      await lingeringEnded;
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);

      lingeringClient.socket.end();
      await closing;
      expect(target.server.connectionCount).toBe(0);
      expect(target.server.liveStreams()).toEqual([]);
      expect(target.server.address()).toBeUndefined();
      await expect(ScriptedRtmpClient.openSocket(target.port)).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      // No timer of the server outlives it (the pending verification's included).
      pump.stop();
      const pendingTimers = await timers.pending();
      timers.stop();
      expect(pendingTimers).toBe(0);
    });
  });

  describe('unpublish', () => {
    type Unpublish = (client: ScriptedRtmpClient, streamId: number, key: string) => void;
    const variants: [string, Unpublish][] = [
      [
        'FCUnpublish',
        (client, _, key) => client.sendCommand(encodeFCUnpublish(client.nextTransactionId(), key)),
      ],
      [
        'deleteStream',
        (client, streamId) =>
          client.sendCommand(encodeDeleteStream(client.nextTransactionId(), streamId)),
      ],
      ['closeStream', (client, streamId) => client.sendCommand(encodeCloseStream(), streamId, 4)],
      [
        // GStreamer's rtmp2sink at EOS: an argument that is no stream id (issue 19).
        'deleteStream with a string',
        (client, _, key) =>
          client.sendCommand(
            encodeCommand({
              name: 'deleteStream',
              transactionId: client.nextTransactionId(),
              args: [key],
            }),
          ),
      ],
      [
        'deleteStream with no argument',
        (client) =>
          client.sendCommand(
            encodeCommand({ name: 'deleteStream', transactionId: client.nextTransactionId() }),
          ),
      ],
    ];

    it.each(variants)(
      '%s ends the stream as unpublished, and the connection may publish again',
      async (name, unpublish) => {
        const target = await resources.server();
        const key = secretKey(`unpublish-${name}`);
        const { client, streamId, stream } = await publishStream(resources, target, key);
        const ended = endOf(stream);
        unpublish(client, streamId, key);
        expect(await client.waitForStatus()).toMatchObject({
          level: 'status',
          code: 'NetStream.Unpublish.Success',
        });
        expect(await ended).toEqual({ reason: 'unpublished' });
        expect(target.server.liveStreams()).toEqual([]);
        expect(client.closed).toBe(false);

        const again = nextStream(target.server, key);
        const { status } = await client.createStreamAndPublish(key);
        expect(status.code).toBe('NetStream.Publish.Start');
        expect(target.server.liveStreams()).toEqual([await again]);
      },
    );

    it('leaves the publish alone on a deleteStream of another stream', async () => {
      const target = await resources.server();
      const { client, streamId, stream } = await publishStream(
        resources,
        target,
        secretKey('unpublish-other'),
      );
      client.sendCommand(encodeDeleteStream(client.nextTransactionId(), streamId + 7));
      await barrier(client, 4);
      expect(stream.ended).toBeUndefined();
      expect(target.server.liveStreams()).toEqual([stream]);
    });

    it('ends the stream as disconnected when the socket closes without an unpublish', async () => {
      const target = await resources.server();
      const { client, stream } = await publishStream(resources, target, secretKey('vanish'));
      const ended = endOf(stream);
      await client.close();
      expect(await ended).toEqual({ reason: 'disconnected' });
      expect(target.server.liveStreams()).toEqual([]);
    });
  });

  describe('a real FFmpeg publisher killed mid-stream', () => {
    const workDir = mkdtempSync(join(tmpdir(), 'rtmp-server-e2e-'));
    const clipPath = join(workDir, 'clip.flv');

    beforeAll(() => generateTestMedia(clipPath, SMALL_TEST_MEDIA), 60_000);

    afterAll(() => {
      killAllProcesses();
      rmSync(workDir, { recursive: true, force: true });
    });

    it('ends as disconnected at once and frees its key for the next publish', async () => {
      const idleMediaTimeoutMs = 20_000;
      const target = await resources.server({ idleMediaTimeoutMs });
      const key = secretKey('ffmpeg-killed');
      const started = nextStream(target.server, key);
      const run = publishWithFfmpeg(clipPath, `rtmp://127.0.0.1:${target.port}/live/${key}`, {
        realtime: true,
      });
      const stream = await started;
      const ended = endOf(stream);
      await packetsArrive(stream, 10);

      const killedAt = performance.now();
      run.child.kill('SIGKILL');
      const end = await ended;
      expect(end).toEqual({ reason: 'disconnected' });
      expect(performance.now() - killedAt).toBeLessThan(idleMediaTimeoutMs / 10);
      expect((await run).signal).toBe('SIGKILL');

      const next = await publishStream(resources, target, key);
      expect(target.server.liveStreams()).toEqual([next.stream]);
    });
  });

  describe('logging', () => {
    // Runs last: it reads what every test above logged.
    it('never logs a whole stream key', () => {
      expect(usedKeys.size).toBeGreaterThanOrEqual(20);
      expect(allLogs.length).toBeGreaterThan(50);
      const tails = [...usedKeys].map((key) => key.slice(-16));
      const leaks = allLogs.filter((line) => tails.some((tail) => line.includes(tail)));
      expect(leaks).toEqual([]);
      // Stream names do show up, masked, and so do apps (these servers configure no `apps`).
      expect(allLogs.some((line) => /\*\*\*\(4\)\/sec\*\*\*\(\d+\)/.test(line))).toBe(true);
    });
  });
});

/** A message as it goes on the wire, in one buffer (for single-write sends). */
function wire(client: ScriptedRtmpClient, message: RtmpMessage): Buffer {
  return Buffer.concat(client.writer.encode(message));
}

/** A video message of `size` bytes on stream 1, which the server reads and ignores unpublished. */
function filler(size: number): RtmpMessage {
  return {
    chunkStreamId: 6,
    messageStreamId: 1,
    typeId: MessageType.Video,
    timestamp: 0,
    payload: Buffer.alloc(size, 0x27),
  };
}

/**
 * Wraps an aggregate payload in `depth` aggregates, built in one pass: every header, the
 * innermost payload, then every back-pointer.
 */
function nestAggregates(depth: number, innermost: Buffer): Buffer {
  const out = Buffer.alloc(depth * 15 + innermost.length);
  let inner = innermost.length;
  for (let level = depth - 1; level >= 0; level -= 1) {
    const offset = level * 11;
    out[offset] = MessageType.Aggregate;
    out.writeUIntBE(inner, offset + 1, 3);
    out.writeUInt32BE(11 + inner, offset + 11 + inner);
    inner += 15;
  }
  innermost.copy(out, depth * 11);
  return out;
}
