import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { LiveStream, StreamEnd } from './live-stream';
import { MediaPacket } from '../media/media-packet';
import { StreamVerdicts } from './stream-request';
import { RtmpServer } from './rtmp-server';

const ORIGIN = {
  description: 'rtmp://origin.example:1935/live/***',
  remoteAddress: 'origin.example',
};
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

function newServer(stalePublisherTimeoutMs = 5_000): RtmpServer {
  return new RtmpServer(
    { port: 0, stalePublisherTimeoutMs },
    { verifyRequest: () => StreamVerdicts.accept(), logger: silent },
  );
}

function metadata(): MediaPacket {
  return {
    type: 'metadata',
    timestamp: 0,
    payload: Buffer.from([2, 0, 1, 0x61]),
    name: 'onMetaData',
    metadata: {},
  } as unknown as MediaPacket;
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('RtmpServer.publishLocal (LocalPublisher)', () => {
  it('opens an ordinary live stream: onStreamStart hears it, liveStreams lists it, packets reach its listeners', () => {
    const server = newServer();
    const started: LiveStream[] = [];
    server.onStreamStart((stream) => started.push(stream));
    const publisher = server.publishLocal('edge', 'camera', ORIGIN);
    expect(started).toEqual([publisher.liveStream]);
    expect(server.liveStreams()).toEqual([publisher.liveStream]);
    expect(publisher.liveStream.request).toMatchObject({
      action: 'publish',
      app: 'edge',
      streamName: 'camera',
      tcUrl: ORIGIN.description,
      remoteAddress: 'origin.example',
    });
    const seen: MediaPacket[] = [];
    publisher.liveStream.onPacket((packet) => seen.push(packet));
    const packet = metadata();
    publisher.deliver(packet);
    expect(seen).toEqual([packet]);
  });

  it('refuses a key a live publisher holds, with a typed error that does not show the key', () => {
    const server = newServer();
    server.publishLocal('edge', 'a-long-secret-stream-key', ORIGIN);
    const error = thrownBy(() => server.publishLocal('edge', 'a-long-secret-stream-key', ORIGIN));
    expect(error).toBeInstanceOf(RtmpError);
    expect(error).toMatchObject({ code: RtmpErrorCode.LocalPublishBusy });
    expect((error as Error).message).not.toContain('a-long-secret-stream-key');
  });

  it('frees the key when it ends, once; later packets are ignored', async () => {
    const server = newServer();
    const publisher = server.publishLocal('edge', 'camera', ORIGIN);
    const ended: StreamEnd[] = [];
    publisher.liveStream.onEnd((end) => ended.push(end));
    publisher.end();
    publisher.end('disconnected');
    expect(ended).toEqual([{ reason: 'unpublished' }]);
    expect(server.liveStreams()).toEqual([]);
    publisher.deliver(metadata());
    expect(publisher.liveStream.stats.metadataPackets).toBe(0);
    const next = server.publishLocal('edge', 'camera', ORIGIN);
    expect(next.liveStream).not.toBe(publisher.liveStream);
    await server.close();
  });

  it('is replaced, as a connection would be, once it has been silent past stalePublisherTimeoutMs', async () => {
    const server = newServer(1);
    const first = server.publishLocal('edge', 'camera', ORIGIN);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = server.publishLocal('edge', 'camera', ORIGIN);
    expect(first.liveStream.ended).toEqual({ reason: 'replaced' });
    expect(server.liveStreams()).toEqual([second.liveStream]);
    // The replaced publisher no longer frees the key it lost.
    first.end();
    expect(server.liveStreams()).toEqual([second.liveStream]);
  });

  it('RtmpServer.disconnect() ends it as kicked with the message and frees the key; unknown streams say false', () => {
    const server = newServer();
    const publisher = server.publishLocal('edge', 'camera', ORIGIN);
    expect(server.disconnect('edge', 'camera', 'Taken down.')).toBe(true);
    expect(publisher.liveStream.ended).toEqual({ reason: 'kicked', message: 'Taken down.' });
    expect(server.liveStreams()).toEqual([]);
    expect(server.disconnect('edge', 'camera', 'again')).toBe(false);
  });

  it('fail() ends the stream with the error', () => {
    const server = newServer();
    const publisher = server.publishLocal('edge', 'camera', ORIGIN);
    const error = new Error('source broke');
    publisher.fail(error);
    expect(publisher.liveStream.ended).toEqual({ reason: 'error', error });
    expect(server.liveStreams()).toEqual([]);
  });

  it('close() ends local streams as server-closed, and a closing server refuses new ones', async () => {
    const server = newServer();
    const publisher = server.publishLocal('edge', 'camera', ORIGIN);
    await server.close();
    expect(publisher.liveStream.ended).toEqual({ reason: 'server-closed' });
    expect(thrownBy(() => server.publishLocal('edge', 'other', ORIGIN))).toMatchObject({
      code: RtmpErrorCode.LocalPublishClosed,
    });
  });
});
