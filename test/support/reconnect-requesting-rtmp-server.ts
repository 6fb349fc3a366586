import { AddressInfo, createServer, Server, Socket } from 'net';
import { encodeReconnectRequest } from '../../libs/rtmp/src/protocol/command';
import { answerPublishes } from './fake-publish-destination';

/**
 * A destination that moves its publishers on: built from the protocol core, it accepts every
 * publish (NetStream.Publish.Start), then at once sends an E-RTMP
 * `NetConnection.Connect.ReconnectRequest` naming `tcUrl` (without one it only accepts, as the
 * place a relay might be sent to), and reads and discards the media that follows. It listens
 * on plain TCP; put a TlsTerminator in front of it for rtmps://.
 */
export class ReconnectRequestingRtmpServer {
  /** TCP connections accepted so far. */
  connections = 0;
  /** Publishes answered so far (one per connection of a publisher). */
  publishes = 0;
  /** The stream name (the key) of each publish, in order. */
  readonly streamNames: string[] = [];
  private readonly sockets = new Set<Socket>();
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    private readonly tcUrl: string | undefined,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Listens on `host` (a loopback address), port picked by the system. */
  static async start(
    tcUrl: string | undefined,
    host = '127.0.0.1',
  ): Promise<ReconnectRequestingRtmpServer> {
    const server = createServer({ noDelay: true });
    const requesting = new ReconnectRequestingRtmpServer(server, tcUrl);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return requesting;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once someone connects (never, if nobody does). */
  connected(): Promise<void> {
    if (this.connections > 0) return Promise.resolve();
    return new Promise((resolve) => this.server.once('connection', () => resolve()));
  }

  /** Resolves once `count` publishes have been answered. */
  publishedTimes(count: number): Promise<void> {
    if (this.publishes >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    answerPublishes(socket, {
      startDescription: 'publishing, for now',
      onPublish: (command, answer) => {
        if (this.tcUrl !== undefined) {
          answer(encodeReconnectRequest({ tcUrl: this.tcUrl, description: 'moving you on' }));
        }
        this.streamNames.push(String(command.args[0]));
        this.publishes += 1;
        const due = this.waiters.filter((w) => this.publishes >= w.count);
        this.waiters = this.waiters.filter((w) => this.publishes < w.count);
        for (const waiter of due) waiter.resolve();
      },
    });
  }
}
