import { AddressInfo, createServer, Server, Socket } from 'net';
import { ChunkReader, ChunkWriter } from '../../libs/rtmp/src/protocol/chunk';
import {
  CommandName,
  decodeCommand,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeOnStatus,
  encodeReconnectRequest,
  NetStatusCode,
  NetStatusLevel,
} from '../../libs/rtmp/src/protocol/command';
import { ServerHandshake } from '../../libs/rtmp/src/protocol/handshake';
import { createCommandMessage, MessageType } from '../../libs/rtmp/src/protocol/message';

/** The message stream id the fake server hands out. */
const STREAM_ID = 1;

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
    socket.on('error', () => undefined);
    const handshake = new ServerHandshake();
    const writer = new ChunkWriter();
    const answer = (payload: Buffer, messageStreamId = 0): void => {
      for (const part of writer.encode(createCommandMessage(messageStreamId, payload))) {
        socket.write(part);
      }
    };
    const reader = new ChunkReader((message) => {
      if (message.typeId !== MessageType.CommandAmf0) return;
      const command = decodeCommand(message.payload, message.typeId);
      if (command.name === CommandName.Connect) {
        answer(encodeConnectResult({ transactionId: command.transactionId }));
      } else if (command.name === CommandName.CreateStream) {
        answer(encodeCreateStreamResult(command.transactionId, STREAM_ID));
      } else if (command.name === CommandName.Publish) {
        answer(
          encodeOnStatus({
            level: NetStatusLevel.Status,
            code: NetStatusCode.PublishStart,
            description: 'publishing, for now',
          }),
          STREAM_ID,
        );
        if (this.tcUrl !== undefined) {
          answer(encodeReconnectRequest({ tcUrl: this.tcUrl, description: 'moving you on' }));
        }
        this.streamNames.push(String(command.args[0]));
        this.publishes += 1;
        const due = this.waiters.filter((w) => this.publishes >= w.count);
        this.waiters = this.waiters.filter((w) => this.publishes < w.count);
        for (const waiter of due) waiter.resolve();
      }
    });
    socket.on('data', (data: Buffer) => {
      let rest = data;
      if (!handshake.complete) {
        const progress = handshake.push(data);
        if (progress.output !== undefined) socket.write(progress.output);
        if (!progress.complete) return;
        rest = progress.rest;
      }
      if (rest.length > 0) reader.push(rest);
    });
  }
}
