import { ConnectCommand } from '../protocol/command/connect-command.parser';
import { ConnectedApp } from './connected-app';

function connect(app: string): ConnectCommand {
  return {
    transactionId: 1,
    app,
    tcUrl: `rtmp://host/${app}`,
    flashVer: 'FMLE/3.0',
    objectEncoding: 0,
    commandObject: { app },
    args: [],
  };
}

const PEER = { sessionId: 7, remoteAddress: '127.0.0.1', remotePort: 5000 };

describe('ConnectedApp', () => {
  it("splits the app's query off and merges it under the stream name's, the name's winning", () => {
    const app = new ConnectedApp(connect('live?region=eu&token=app'));
    expect(app.name).toBe('live');
    expect(app.request('publish', 'key?token=name', 'live', PEER)).toEqual({
      action: 'publish',
      sessionId: 7,
      app: 'live',
      streamName: 'key',
      query: { region: 'eu', token: 'name' },
      publishType: 'live',
      tcUrl: 'rtmp://host/live?region=eu&token=app',
      flashVer: 'FMLE/3.0',
      connectObject: { app: 'live?region=eu&token=app' },
      remoteAddress: '127.0.0.1',
      remotePort: 5000,
    });
  });

  it('gives a play request the same shape, action play', () => {
    const request = new ConnectedApp(connect('live')).request('play', 'key', 'live', PEER);
    expect(request).toMatchObject({ action: 'play', app: 'live', streamName: 'key', query: {} });
  });
});
