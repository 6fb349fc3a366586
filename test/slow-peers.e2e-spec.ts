import { Socket } from 'net';
import { LiveStream, StreamVerdicts, RtmpServer } from '../libs/rtmp/src';
import { ScriptedRtmpClient } from './support/scripted-rtmp-client';

/** Timeouts of the server under test: short, so hundreds of stalls resolve quickly. */
const TIMEOUT_MS = 400;
const STALLED_PER_PHASE = 150;

/** Sends a little media on `client` every few ms until stopped; resolves nothing. */
function pump(client: ScriptedRtmpClient, streamId: number): () => void {
  let timestamp = 0;
  const keyFrame = Buffer.from([0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65]);
  const timer = setInterval(() => {
    timestamp += 20;
    client.sendMedia(streamId, 9, timestamp, keyFrame);
  }, 10);
  return () => clearInterval(timer);
}

describe('slow, idle and flooding peers', () => {
  let server: RtmpServer;
  let port: number;
  const logs: string[] = [];

  beforeAll(async () => {
    server = new RtmpServer(
      {
        port: 0,
        host: '127.0.0.1',
        handshakeTimeoutMs: TIMEOUT_MS,
        connectToPublishTimeoutMs: TIMEOUT_MS,
        idleMediaTimeoutMs: TIMEOUT_MS,
        maxConnections: 600,
        maxConnectionsPerAddress: 600,
      },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: (m) => logs.push(m), error: (m) => logs.push(m) },
      },
    );
    ({ port } = await server.listen());
  });

  afterAll(() => server.close());

  it(`closes ${STALLED_PER_PHASE} peers stalled in each phase by their timeouts, while a publisher streams`, async () => {
    const healthy = await ScriptedRtmpClient.connect(port);
    const started = new Promise<LiveStream>((resolve) =>
      server.onStreamStart((stream) => stream.name === 'healthy' && resolve(stream)),
    );
    const { streamId } = await healthy.publish('live', 'healthy');
    const stream = await started;
    let packets = 0;
    stream.onPacket(() => (packets += 1));
    const stop = pump(healthy, streamId);

    const opened = Date.now();
    // Inside the handshake: a few bytes of C0+C1, then nothing.
    const inHandshake = await Promise.all(
      Array.from({ length: STALLED_PER_PHASE }, async () => {
        const socket = await ScriptedRtmpClient.openSocket(port);
        socket.write(Buffer.alloc(100, 3));
        return new Promise<void>((resolve) => socket.once('close', () => resolve()));
      }),
    );
    // After connect, never publishing.
    const afterConnect = await Promise.all(
      Array.from({ length: STALLED_PER_PHASE }, async () => {
        const client = await ScriptedRtmpClient.connect(port);
        await client.connectApp('live');
        return client.whenClosed();
      }),
    );
    // After publish, never sending media.
    const afterPublish = await Promise.all(
      Array.from({ length: STALLED_PER_PHASE }, async (_, i) => {
        const client = await ScriptedRtmpClient.connect(port);
        await client.publish('live', `silent-${i}`);
        return client.whenClosed();
      }),
    );
    await Promise.all([...inHandshake, ...afterConnect, ...afterPublish]);
    const elapsed = Date.now() - opened;

    // Closed by their timeouts (each a few hundred ms), not by anything slower.
    expect(elapsed).toBeLessThan(10 * TIMEOUT_MS + 5_000);
    const count = (code: string): number => logs.filter((line) => line.includes(code)).length;
    expect(count('RTMP_ERR_SESSION_HANDSHAKE_TIMEOUT')).toBeGreaterThanOrEqual(STALLED_PER_PHASE);
    expect(count('RTMP_ERR_SESSION_PUBLISH_TIMEOUT')).toBeGreaterThanOrEqual(STALLED_PER_PHASE);
    expect(count('RTMP_ERR_SESSION_IDLE_TIMEOUT')).toBeGreaterThanOrEqual(STALLED_PER_PHASE);

    // The healthy publisher kept streaming all along and is still live.
    const before = packets;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(packets).toBeGreaterThan(before);
    expect(stream.ended).toBeUndefined();
    expect(healthy.closed).toBe(false);
    expect(server.connectionCount).toBe(1);
    stop();
    await healthy.close();
  }, 60_000);

  it('refuses a flood of connections beyond maxConnections cheaply while a stream flows', async () => {
    const limited = new RtmpServer(
      { port: 0, host: '127.0.0.1', maxConnections: 20, maxConnectionsPerAddress: 20 },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      },
    );
    const { port: limitedPort } = await limited.listen();
    try {
      const healthy = await ScriptedRtmpClient.connect(limitedPort);
      const started = new Promise<LiveStream>((resolve) => limited.onStreamStart(resolve));
      const { streamId } = await healthy.publish('live', 'flooded');
      const stream = await started;
      let packets = 0;
      stream.onPacket(() => (packets += 1));
      const stop = pump(healthy, streamId);

      // Hold the other 19 slots, then flood 500 more connection attempts.
      const holders = await Promise.all(
        Array.from({ length: 19 }, () => ScriptedRtmpClient.openSocket(limitedPort)),
      );
      const rssBefore = process.memoryUsage().rss;
      const refused = await Promise.all(
        Array.from({ length: 500 }, async () => {
          const socket: Socket = await ScriptedRtmpClient.openSocket(limitedPort);
          let received = 0;
          socket.on('data', (data: Buffer) => (received += data.length));
          socket.write(Buffer.alloc(1537, 3));
          await new Promise((resolve) => socket.once('close', resolve));
          return received;
        }),
      );
      // Refused before any handshake byte was answered.
      expect(refused.every((bytes) => bytes === 0)).toBe(true);
      expect(limited.connectionCount).toBe(20);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
      const before = packets;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(packets).toBeGreaterThan(before);
      expect(stream.ended).toBeUndefined();
      stop();
      for (const socket of holders) socket.destroy();
      await healthy.close();
    } finally {
      await limited.close();
    }
  }, 60_000);
});
