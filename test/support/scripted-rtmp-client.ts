import { connect, Socket, TcpNetConnectOpts } from 'net';
import { AmfValue } from '../../libs/rtmp/src/protocol/amf';
import { ChunkReader, ChunkWriter } from '../../libs/rtmp/src/protocol/chunk';
import {
  buildConnectObject,
  decodeCommand,
  encodeCommand,
  encodeCreateStream,
  encodeFCPublish,
  encodePublish,
  encodeReleaseStream,
  NetStatus,
  parseStatusCommand,
  RtmpCommand,
} from '../../libs/rtmp/src/protocol/command';
import { ClientHandshake } from '../../libs/rtmp/src/protocol/handshake';
import { MessageType, RtmpMessage } from '../../libs/rtmp/src/protocol/message';

/** How the test socket is opened. */
export type SocketOptions = Pick<TcpNetConnectOpts, 'localAddress' | 'allowHalfOpen'>;

/**
 * A test client built from the protocol core with every step under the test's control, so
 * tests can publish normally, stall anywhere, or send what no encoder would. Not the push
 * client: it has no retries, no backpressure and no manners.
 */
export class ScriptedRtmpClient {
  private readonly reader: ChunkReader;
  readonly writer = new ChunkWriter();
  private readonly inbox: RtmpMessage[] = [];
  private readonly waiting: {
    match: (m: RtmpMessage) => boolean;
    resolve: (m: RtmpMessage) => void;
  }[] = [];
  private transactionId = 1;
  private readonly closedPromise: Promise<void>;
  private isClosed = false;
  /** Bytes the server sent, all of them. */
  bytesReceived = 0;
  /** Every message the server sent, in order (a log: `waitFor` does not take from it). */
  readonly received: RtmpMessage[] = [];

  private constructor(readonly socket: Socket) {
    this.reader = new ChunkReader((message) => this.onMessage(message));
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  /**
   * Opens a TCP connection without a handshake (for tests that stall in it). `options` can
   * bind another loopback address (`localAddress: '127.0.0.2'`) or keep the socket half open
   * after the server ends its side (`allowHalfOpen`).
   */
  static openSocket(port: number, options: SocketOptions = {}): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const opts: TcpNetConnectOpts = { port, host: '127.0.0.1', ...options };
      const socket = connect(opts, () => resolve(socket));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  }

  /** Connects and completes the handshake. */
  static async connect(port: number, options: SocketOptions = {}): Promise<ScriptedRtmpClient> {
    const socket = await ScriptedRtmpClient.openSocket(port, options);
    const client = new ScriptedRtmpClient(socket);
    const handshake = new ClientHandshake();
    await new Promise<void>((resolve, reject) => {
      const onData = (data: Buffer): void => {
        try {
          client.bytesReceived += data.length;
          const progress = handshake.push(data);
          if (progress.output !== undefined) socket.write(progress.output);
          if (!progress.complete) return;
          socket.off('data', onData);
          socket.on('data', (more: Buffer) => client.onData(more));
          if (progress.rest.length > 0) client.onData(progress.rest);
          resolve();
        } catch (error) {
          reject(error);
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error('closed during the handshake')));
      socket.write(handshake.start());
    });
    return client;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  send(message: RtmpMessage): void {
    for (const part of this.writer.encode(message)) this.socket.write(part);
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  sendCommand(payload: Buffer, messageStreamId = 0, chunkStreamId = 3): void {
    this.send({
      chunkStreamId,
      messageStreamId,
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      payload,
    });
  }

  nextTransactionId(): number {
    this.transactionId += 1;
    return this.transactionId;
  }

  /** Resolves with the first message (already received or to come) that `match` accepts. */
  waitFor(match: (message: RtmpMessage) => boolean, timeoutMs = 5_000): Promise<RtmpMessage> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no matching message from the server')),
        timeoutMs,
      );
      this.waiting.push({
        match,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  async waitForCommand(name: string, timeoutMs?: number): Promise<RtmpCommand> {
    const message = await this.waitFor(
      (m) => m.typeId === MessageType.CommandAmf0 && decodeCommand(m.payload).name === name,
      timeoutMs,
    );
    return decodeCommand(message.payload);
  }

  /** Waits for an onStatus and returns its info. */
  async waitForStatus(timeoutMs?: number): Promise<NetStatus> {
    return parseStatusCommand(await this.waitForCommand('onStatus', timeoutMs)).status;
  }

  /** connect + releaseStream/FCPublish/createStream + publish, as FFmpeg does. Returns the msid. */
  async publish(app: string, streamName: string): Promise<{ streamId: number; status: NetStatus }> {
    await this.connectApp(app);
    this.sendCommand(encodeReleaseStream(this.nextTransactionId(), streamName));
    this.sendCommand(encodeFCPublish(this.nextTransactionId(), streamName));
    return this.createStreamAndPublish(streamName);
  }

  /** createStream + publish on an already connected client (a second publish, for one). */
  async createStreamAndPublish(
    streamName: string,
  ): Promise<{ streamId: number; status: NetStatus }> {
    const createTxn = this.nextTransactionId();
    this.sendCommand(encodeCreateStream(createTxn));
    const created = await this.waitFor(
      (m) =>
        m.typeId === MessageType.CommandAmf0 &&
        decodeCommand(m.payload).name === '_result' &&
        decodeCommand(m.payload).transactionId === createTxn,
    );
    const streamId = decodeCommand(created.payload).args[0] as number;
    this.sendCommand(encodePublish(this.nextTransactionId(), streamName, 'live'), streamId, 4);
    return { streamId, status: await this.waitForStatus() };
  }

  async connectApp(app: string, extra: Record<string, AmfValue> = {}): Promise<RtmpCommand> {
    const commandObject = {
      ...buildConnectObject({ app, tcUrl: `rtmp://127.0.0.1/${app}` }),
      ...extra,
    };
    this.sendCommand(encodeCommand({ name: 'connect', transactionId: 1, commandObject }));
    return this.waitForCommand('_result');
  }

  /** Sends one media message on the publish stream (FFmpeg's csids: 8 video, 9 audio). */
  sendMedia(streamId: number, typeId: 8 | 9 | 18 | 22, timestamp: number, payload: Buffer): void {
    this.send({
      chunkStreamId: typeId === 9 ? 8 : 9,
      messageStreamId: streamId,
      typeId,
      timestamp,
      payload,
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closedPromise;
  }

  private onData(data: Buffer): void {
    this.bytesReceived += data.length;
    this.reader.push(data);
  }

  private onMessage(message: RtmpMessage): void {
    const copy = { ...message, payload: Buffer.from(message.payload) };
    this.received.push(copy);
    const index = this.waiting.findIndex((w) => w.match(copy));
    if (index >= 0) {
      this.waiting.splice(index, 1)[0].resolve(copy);
      return;
    }
    this.inbox.push(copy);
  }
}
