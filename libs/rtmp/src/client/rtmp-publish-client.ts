import { connect as connectTcp, Socket } from 'net';
import { connect as connectTls, ConnectionOptions as TlsOptions } from 'tls';
import { ChunkReader } from '../protocol/chunk/chunk-reader';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import {
  buildConnectObject,
  encodeConnect,
  encodeCreateStream,
  encodeDeleteStream,
  encodeFCPublish,
  encodeFCUnpublish,
  encodePublish,
  encodeReleaseStream,
} from '../protocol/command/client-command.builder';
import { CommandName } from '../protocol/command/command-name';
import { decodeCommand } from '../protocol/command/command.decoder';
import { SET_DATA_FRAME_PREFIX } from '../protocol/command/data-message.builder';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import {
  parseResultCommand,
  parseStatusCommand,
} from '../protocol/command/response-command.parser';
import { RtmpCommand } from '../protocol/command/rtmp-command';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { ClientHandshake } from '../protocol/handshake/client-handshake';
import {
  createAcknowledgementMessage,
  createSetChunkSizeMessage,
  createUserControlMessage,
} from '../protocol/message/control-message.factory';
import { decodeControlMessage } from '../protocol/message/control-message.decoder';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { RtmpClientError } from './rtmp-client.error';
import { describeRtmpUrl, parseRtmpUrl, RtmpUrl } from './rtmp-url';

export interface RtmpPublishClientOptions {
  /** `rtmp://host[:port]/app/streamName` or `rtmps://…` (port 443 by default). */
  readonly url: string;
  /** Outgoing chunk size, announced right after the handshake. Default 4096. */
  readonly chunkSize?: number;
  /** Time from the TCP connect to NetStream.Publish.Start. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Most bytes waiting in the socket. Past it, `send*` refuses media (returns false) until the
   * destination catches up, so a stalled server never makes memory grow. Default 4 MiB.
   */
  readonly maxQueuedBytes?: number;
  /** `flashVer` of the connect object. */
  readonly flashVer?: string;
  /** TLS options for rtmps:// (certificate authorities, servername, rejectUnauthorized...). */
  readonly tls?: TlsOptions;
}

/** What a server asked with an Enhanced RTMP ReconnectRequest. */
export interface ReconnectRequest {
  /** Where to reconnect: an absolute or relative tcUrl, or undefined for the same one. */
  readonly tcUrl?: string;
  readonly description?: string;
}

type ClientState = 'idle' | 'connecting' | 'publishing' | 'closing' | 'closed';

const DEFAULTS = {
  chunkSize: 4096,
  connectTimeoutMs: 10_000,
  maxQueuedBytes: 4 * 1024 * 1024,
  flashVer: 'FMLE/3.0 (compatible; nestjs-rtmp)',
} as const;
/** How long close() waits for the server to close before destroying the socket. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Publishes one stream to a remote RTMP(S) server (YouTube, Twitch, nginx-rtmp...), as an
 * encoder does: handshake, SetChunkSize, FMLE-style connect, releaseStream / FCPublish /
 * createStream, publish, then media. Media payloads are FLV tag bodies passed through
 * byte-exact (legacy or Enhanced RTMP).
 */
export class RtmpPublishClient {
  readonly url: RtmpUrl;
  private readonly options: Required<Omit<RtmpPublishClientOptions, 'tls'>> & { tls?: TlsOptions };
  private socket: Socket | undefined;
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private state: ClientState = 'idle';
  private streamId = 0;
  private transactionId = 1;
  private bytesReceived = 0;
  private bytesAcknowledged = 0;
  private serverWindow = 0;
  private pending: Map<number, (command: RtmpCommand) => void> = new Map();
  private publishWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private closeListeners: ((cause: Error | undefined) => void)[] = [];
  private reconnectListeners: ((request: ReconnectRequest) => void)[] = [];
  private closeCause: Error | undefined;
  private closedPromise: Promise<void> | undefined;
  private sentBytes = 0;
  /** Whether the TCP (or TLS) connection was established: later socket errors lose it. */
  private connected = false;

  constructor(options: RtmpPublishClientOptions) {
    this.url = parseRtmpUrl(options.url);
    this.options = { ...DEFAULTS, ...options };
    this.reader = new ChunkReader((message) => this.onMessage(message));
  }

  /** Whether the server accepted the publish and media can be sent. */
  get publishing(): boolean {
    return this.state === 'publishing';
  }

  /** Bytes written to the socket but not yet sent. */
  get queuedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Bytes of media and metadata handed to the socket since the publish started. */
  get bytesSent(): number {
    return this.sentBytes;
  }

  /** Called once when the connection ends: `cause` is undefined after a clean `close()`. */
  onClose(listener: (cause: Error | undefined) => void): void {
    this.closeListeners.push(listener);
  }

  /** Called when the server asks the client to reconnect (E-RTMP ReconnectRequest). */
  onReconnectRequest(listener: (request: ReconnectRequest) => void): void {
    this.reconnectListeners.push(listener);
  }

  /**
   * Connects and publishes; resolves once NetStream.Publish.Start arrives. Rejects with an
   * {@link RtmpClientError}: the server's code and description on a rejection, a timeout, or
   * the connection's failure.
   */
  connect(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error('connect() may be called once'));
    this.state = 'connecting';
    const { host, port, secure } = this.url;
    const socket = secure
      ? connectTls({ host, port, servername: isIp(host) ? undefined : host, ...this.options.tls })
      : connectTcp({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    const handshake = new ClientHandshake();
    socket.on('error', (error) => this.fail(this.socketError(error)));
    socket.on('close', () => this.onSocketClose());
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      socket.write(handshake.start());
    });
    socket.on('data', (data: Buffer) => {
      try {
        this.bytesReceived += data.length;
        if (!handshake.complete) {
          const progress = handshake.push(data);
          if (progress.output !== undefined) socket.write(progress.output);
          if (!progress.complete) return;
          this.startSession();
          if (progress.rest.length > 0) this.reader.push(progress.rest);
        } else {
          this.reader.push(data);
        }
        this.acknowledge();
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });

    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.fail(
            new RtmpClientError(
              RtmpErrorCode.ClientTimeout,
              `no NetStream.Publish.Start from ${describeRtmpUrl(this.url)} within ${this.options.connectTimeoutMs} ms`,
            ),
          ),
        this.options.connectTimeoutMs,
      );
      this.publishWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /**
   * Sends a data message (`onMetaData`...) as a publisher does, behind `@setDataFrame`.
   * `body` is the AMF0 data message starting at its name (a MetadataPacket's payload).
   */
  sendMetadata(body: Buffer): boolean {
    const payload = Buffer.concat([SET_DATA_FRAME_PREFIX, body]);
    return this.sendMedia(MessageType.DataAmf0, ChunkStreamId.Data, 0, payload, true);
  }

  /** Sends an audio message (an FLV audio tag body). Returns false if it was refused. */
  sendAudio(timestamp: number, payload: Buffer, force = false): boolean {
    return this.sendMedia(MessageType.Audio, ChunkStreamId.Audio, timestamp, payload, force);
  }

  /** Sends a video message (an FLV video tag body). Returns false if it was refused. */
  sendVideo(timestamp: number, payload: Buffer, force = false): boolean {
    return this.sendMedia(MessageType.Video, ChunkStreamId.Video, timestamp, payload, force);
  }

  /** Whether the socket can take more media now (queued bytes under the limit). */
  get writable(): boolean {
    return this.state === 'publishing' && this.queuedBytes <= this.options.maxQueuedBytes;
  }

  /** Unpublishes (FCUnpublish, deleteStream), ends the socket and resolves once it is closed. */
  async close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || this.state === 'closed') return;
    if (this.state === 'publishing') {
      this.sendCommand(encodeFCUnpublish(this.nextTransactionId(), this.url.streamName));
      this.sendCommand(encodeDeleteStream(this.nextTransactionId(), this.streamId));
    }
    if (this.state !== 'closing') {
      this.state = 'closing';
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
    }
    this.publishWaiter?.reject(
      new RtmpClientError(RtmpErrorCode.ClientClosed, 'closed before the publish started'),
    );
    await this.closedPromise;
  }

  private sendMedia(
    typeId: number,
    chunkStreamId: number,
    timestamp: number,
    payload: Buffer,
    force: boolean,
  ): boolean {
    if (this.state !== 'publishing') return false;
    if (!force && this.queuedBytes > this.options.maxQueuedBytes) return false;
    // The socket may already be ending (the server hung up) before 'close' changes the state.
    if (!this.send({ chunkStreamId, messageStreamId: this.streamId, typeId, timestamp, payload }))
      return false;
    this.sentBytes += payload.length;
    return true;
  }

  private startSession(): void {
    this.send(createSetChunkSizeMessage(this.options.chunkSize));
    this.writer.setChunkSize(this.options.chunkSize);
    const connectObject = buildConnectObject({
      app: this.url.app,
      tcUrl: this.url.tcUrl,
      flashVer: this.options.flashVer,
    });
    this.request(encodeConnect(connectObject, 1), 1, (reply) => this.onConnectReply(reply));
  }

  private onConnectReply(reply: RtmpCommand): void {
    const result = parseResultCommand(reply);
    if (result.isError) {
      this.fail(this.rejection('connect', result.status?.code, result.status?.description));
      return;
    }
    // Pipelined as FFmpeg and OBS do: servers answer these in order (or not at all).
    const name = this.url.streamName;
    this.sendCommand(encodeReleaseStream(this.nextTransactionId(), name));
    this.sendCommand(encodeFCPublish(this.nextTransactionId(), name));
    const createTxn = this.nextTransactionId();
    this.request(encodeCreateStream(createTxn), createTxn, (created) => {
      const createResult = parseResultCommand(created);
      if (createResult.isError || typeof createResult.info !== 'number') {
        this.fail(
          this.rejection(
            'createStream',
            createResult.status?.code,
            createResult.status?.description,
          ),
        );
        return;
      }
      this.streamId = createResult.info;
      this.send({
        chunkStreamId: ChunkStreamId.Status,
        messageStreamId: this.streamId,
        typeId: MessageType.CommandAmf0,
        timestamp: 0,
        payload: encodePublish(this.nextTransactionId(), name, 'live'),
      });
    });
  }

  private onMessage(message: RtmpMessage): void {
    if (message.typeId === MessageType.CommandAmf0 || message.typeId === MessageType.CommandAmf3) {
      this.onCommand(decodeCommand(message.payload, message.typeId));
      return;
    }
    const control = decodeControlMessage(message);
    if (control === undefined) return; // data, media, anything unknown: not for a publisher
    if (control.type === 'windowAcknowledgementSize') this.serverWindow = control.windowSize;
    else if (control.type === 'userControl' && control.event.kind === 'pingRequest') {
      this.send(
        createUserControlMessage({ kind: 'pingResponse', timestamp: control.event.timestamp }),
      );
    }
  }

  private onCommand(command: RtmpCommand): void {
    if (command.name === CommandName.Result || command.name === CommandName.Error) {
      const handler = this.pending.get(command.transactionId);
      if (handler !== undefined) {
        this.pending.delete(command.transactionId);
        handler(command);
      }
      return;
    }
    if (command.name !== CommandName.OnStatus) return; // onBWDone, onFCPublish...
    const { status } = parseStatusCommand(command);
    if (status.code === NetStatusCode.ConnectReconnectRequest) {
      const tcUrl = typeof status.info.tcUrl === 'string' ? status.info.tcUrl : undefined;
      for (const listener of this.reconnectListeners)
        listener({ tcUrl, description: status.description });
      return;
    }
    if (this.state === 'connecting' && status.code === NetStatusCode.PublishStart) {
      this.state = 'publishing';
      this.publishWaiter?.resolve();
      this.publishWaiter = undefined;
      return;
    }
    if (status.level === NetStatusLevel.Error) {
      this.fail(this.rejection('publish', status.code, status.description));
    }
  }

  private request(
    payload: Buffer,
    transactionId: number,
    onReply: (reply: RtmpCommand) => void,
  ): void {
    this.pending.set(transactionId, onReply);
    this.sendCommand(payload);
  }

  private sendCommand(payload: Buffer): void {
    this.send({
      chunkStreamId: ChunkStreamId.Command,
      messageStreamId: 0,
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      payload,
    });
  }

  /** Writes one message; false when the socket can no longer take it. */
  private send(message: RtmpMessage): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed || !socket.writable) return false;
    const parts = this.writer.encode(message);
    socket.cork();
    for (const part of parts) socket.write(part);
    socket.uncork();
    return true;
  }

  private acknowledge(): void {
    if (this.serverWindow === 0) return;
    if (this.bytesReceived - this.bytesAcknowledged < this.serverWindow) return;
    this.bytesAcknowledged = this.bytesReceived;
    this.send(createAcknowledgementMessage(this.bytesReceived % 0x100000000));
  }

  private nextTransactionId(): number {
    this.transactionId += 1;
    return this.transactionId;
  }

  private rejection(
    step: string,
    code: string | undefined,
    description: string | undefined,
  ): RtmpClientError {
    return new RtmpClientError(
      RtmpErrorCode.ClientRejected,
      `${describeRtmpUrl(this.url)} refused ${step}: ${code ?? 'no code'}${description ? ` (${description})` : ''}`,
      code,
      description,
    );
  }

  /**
   * A socket error as a client error: before the connection is up (refused, unreachable, TLS
   * verification) the connect failed; afterwards (a reset mid-stream) the connection was lost.
   */
  private socketError(error: Error): Error {
    if (error instanceof RtmpError) return error;
    if (!this.connected) {
      return new RtmpClientError(
        RtmpErrorCode.ClientConnectFailed,
        `connection to ${describeRtmpUrl(this.url)} failed: ${error.message}`,
      );
    }
    return new RtmpClientError(
      RtmpErrorCode.ClientClosed,
      `connection to ${describeRtmpUrl(this.url)} lost: ${error.message}`,
    );
  }

  private fail(error: Error): void {
    if (this.state === 'closed') return;
    this.closeCause ??= error;
    this.publishWaiter?.reject(error);
    this.publishWaiter = undefined;
    this.state = 'closing';
    this.socket?.destroy();
  }

  private onSocketClose(): void {
    const wasClosing = this.state === 'closing';
    this.state = 'closed';
    const cause =
      this.closeCause ??
      (wasClosing
        ? undefined
        : new RtmpClientError(
            RtmpErrorCode.ClientClosed,
            `${describeRtmpUrl(this.url)} closed the connection`,
          ));
    this.publishWaiter?.reject(
      cause ?? new RtmpClientError(RtmpErrorCode.ClientClosed, 'closed before the publish started'),
    );
    this.publishWaiter = undefined;
    for (const listener of this.closeListeners) listener(cause);
    this.closeListeners = [];
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
