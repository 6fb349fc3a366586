import { ConnectionOptions as TlsOptions } from 'tls';
import {
  buildConnectObject,
  encodeDeleteStream,
  encodeFCPublish,
  encodeFCUnpublish,
  encodePublish,
  encodeReleaseStream,
} from '../protocol/command/client-command.builder';
import { SET_DATA_FRAME_PREFIX } from '../protocol/command/data-message.builder';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { NetStatus } from '../protocol/command/response-command.parser';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { RtmpClientConnection } from './rtmp-client-connection';
import { parseRtmpUrl, RtmpUrl } from './rtmp-url';

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

const DEFAULTS = {
  chunkSize: 4096,
  connectTimeoutMs: 10_000,
  maxQueuedBytes: 4 * 1024 * 1024,
  flashVer: 'FMLE/3.0 (compatible; nestjs-rtmp)',
} as const;

/**
 * Publishes one stream to a remote RTMP(S) server (YouTube, Twitch, nginx-rtmp...), as an
 * encoder does: handshake, SetChunkSize, FMLE-style connect, releaseStream / FCPublish /
 * createStream, publish, then media. Media payloads are FLV tag bodies passed through
 * byte-exact (legacy or Enhanced RTMP).
 */
export class RtmpPublishClient {
  readonly url: RtmpUrl;
  private readonly options: Required<Omit<RtmpPublishClientOptions, 'tls'>> & { tls?: TlsOptions };
  private readonly connection: RtmpClientConnection;
  private streamId = 0;
  private closeListeners: ((cause: Error | undefined) => void)[] = [];
  private reconnectListeners: ((request: ReconnectRequest) => void)[] = [];
  private sentBytes = 0;

  constructor(options: RtmpPublishClientOptions) {
    this.url = parseRtmpUrl(options.url);
    this.options = { ...DEFAULTS, ...options };
    this.connection = new RtmpClientConnection(
      {
        url: this.url,
        purpose: 'publish',
        startCode: NetStatusCode.PublishStart,
        connectTimeoutMs: this.options.connectTimeoutMs,
        tls: this.options.tls,
      },
      {
        onHandshake: () => this.startSession(),
        onStatus: (status) => this.onStatus(status),
        onClose: (cause) => this.onClosed(cause),
      },
    );
  }

  /** Whether the server accepted the publish and media can be sent. */
  get publishing(): boolean {
    return this.connection.state === 'started';
  }

  /** Bytes written to the socket but not yet sent. */
  get queuedBytes(): number {
    return this.connection.queuedBytes;
  }

  /** Past this many queued bytes, `send*` refuses media that is not forced (the option). */
  get maxQueuedBytes(): number {
    return this.options.maxQueuedBytes;
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
    return this.connection.connect();
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
    return this.publishing && this.queuedBytes <= this.options.maxQueuedBytes;
  }

  /**
   * Drops the connection at once, without unpublishing: for a server that no longer reads,
   * where a polite close would wait behind the queue. `cause` is what `onClose` reports.
   */
  abort(cause: Error): void {
    this.connection.fail(cause);
  }

  /** Unpublishes (FCUnpublish, deleteStream), ends the socket and resolves once it is closed. */
  async close(): Promise<void> {
    const connection = this.connection;
    if (this.publishing) {
      connection.sendCommand(
        encodeFCUnpublish(connection.nextTransactionId(), this.url.streamName),
      );
      connection.sendCommand(encodeDeleteStream(connection.nextTransactionId(), this.streamId));
    }
    await connection.close();
  }

  private sendMedia(
    typeId: number,
    chunkStreamId: number,
    timestamp: number,
    payload: Buffer,
    force: boolean,
  ): boolean {
    if (!this.publishing) return false;
    if (!force && this.queuedBytes > this.options.maxQueuedBytes) return false;
    // The socket may already be ending (the server hung up) before 'close' changes the state.
    const messageStreamId = this.streamId;
    if (!this.connection.send({ chunkStreamId, messageStreamId, typeId, timestamp, payload }))
      return false;
    this.sentBytes += payload.length;
    return true;
  }

  private startSession(): void {
    const connection = this.connection;
    connection.setChunkSize(this.options.chunkSize);
    const connectObject = buildConnectObject({
      app: this.url.app,
      tcUrl: this.url.tcUrl,
      flashVer: this.options.flashVer,
    });
    connection.connectApp(connectObject, () => {
      // Pipelined as FFmpeg and OBS do: servers answer these in order (or not at all).
      const name = this.url.streamName;
      connection.sendCommand(encodeReleaseStream(connection.nextTransactionId(), name));
      connection.sendCommand(encodeFCPublish(connection.nextTransactionId(), name));
      connection.createStream((streamId) => {
        this.streamId = streamId;
        const publish = encodePublish(connection.nextTransactionId(), name, 'live');
        connection.sendCommand(publish, streamId);
      });
    });
  }

  private onStatus(status: NetStatus): void {
    if (status.code === NetStatusCode.ConnectReconnectRequest) {
      const tcUrl = typeof status.info.tcUrl === 'string' ? status.info.tcUrl : undefined;
      for (const listener of this.reconnectListeners)
        listener({ tcUrl, description: status.description });
      return;
    }
    if (this.connection.state === 'connecting' && status.code === NetStatusCode.PublishStart) {
      this.connection.markStarted();
      return;
    }
    if (status.level === NetStatusLevel.Error) {
      this.connection.failRefused('publish', status);
    }
  }

  private onClosed(cause: Error | undefined): void {
    for (const listener of this.closeListeners) listener(cause);
    this.closeListeners = [];
  }
}
