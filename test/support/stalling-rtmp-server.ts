import { AddressInfo, createServer, Server, Socket } from 'net';
import { answerPublishes } from './fake-publish-destination';

/**
 * A destination that stops reading: built from the protocol core, it answers a publisher's
 * handshake, connect, createStream and publish (NetStream.Publish.Start), then pauses the
 * socket and never reads again, as a server whose network or disk has stalled. TCP then fills
 * up and everything the publisher writes waits in its own process.
 */
export class StallingRtmpServer {
  /** Bytes read from the publisher before the server stopped reading. */
  bytesRead = 0;
  /** Resolves once a publish has been answered and the socket paused. */
  readonly stalled: Promise<void>;
  private markStalled: () => void = () => undefined;
  private readonly sockets = new Set<Socket>();
  private paused: Socket | undefined;

  private constructor(private readonly server: Server) {
    this.stalled = new Promise((resolve) => (this.markStalled = resolve));
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(): Promise<StallingRtmpServer> {
    const server = createServer({ noDelay: true });
    const stalling = new StallingRtmpServer(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return stalling;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Starts reading again, discarding everything (the publisher's queue then drains). */
  resume(): void {
    const socket = this.paused;
    if (socket === undefined) return;
    socket.removeAllListeners('data');
    socket.on('data', (data: Buffer) => (this.bytesRead += data.length));
    socket.resume();
  }

  /** Resets the stalled connection (TCP RST), as a crashed server or a middlebox does. */
  reset(): void {
    this.paused?.resetAndDestroy();
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    answerPublishes(socket, {
      startDescription: 'publishing, and never reading again',
      onPublish: () => {
        socket.pause();
        this.paused = socket;
        this.markStalled();
      },
      onData: (data) => {
        if (this.paused === socket) return false; // what was in flight when the server stalled
        this.bytesRead += data.length;
        return true;
      },
    });
  }
}
