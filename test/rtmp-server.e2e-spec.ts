import { PublishVerdicts, RtmpServer } from '../libs/rtmp/src';
import { ScriptedRtmpClient } from './support/scripted-rtmp-client';

describe('RtmpServer sessions', () => {
  let server: RtmpServer;
  let port: number;
  const warnings: string[] = [];

  beforeAll(async () => {
    server = new RtmpServer(
      { port: 0, host: '127.0.0.1', stalePublisherTimeoutMs: 60_000 },
      {
        verifyPublish: () => PublishVerdicts.accept(),
        logger: {
          log: () => undefined,
          warn: (m) => warnings.push(m),
          error: (m) => warnings.push(m),
        },
      },
    );
    ({ port } = await server.listen());
  });

  afterAll(() => server.close());

  it('rejects a second publisher of a live stream as BadName and keeps the first', async () => {
    const first = await ScriptedRtmpClient.connect(port);
    expect((await first.publish('live', 'busy')).status.code).toBe('NetStream.Publish.Start');
    const second = await ScriptedRtmpClient.connect(port);
    const { status } = await second.publish('live', 'busy');
    expect(status).toMatchObject({
      level: 'error',
      code: 'NetStream.Publish.BadName',
      description: 'Already publishing',
    });
    await second.whenClosed();
    expect(first.closed).toBe(false);
    expect(server.liveStreams().map((s) => s.key)).toEqual(['live/busy']);
    await first.close();
  });
});
