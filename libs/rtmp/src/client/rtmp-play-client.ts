import { connect as connectTcp, Socket } from 'net';
import { connect as connectTls, ConnectionOptions as TlsOptions } from 'tls';
import { AmfObject } from '../protocol/amf/amf-value';
import { ChunkReader } from '../protocol/chunk/chunk-reader';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import {
  encodeConnect,
  encodeCreateStream,
  encodeDeleteStream,
  encodePlay,
} from '../protocol/command/client-command.builder';
import { CommandName, DataMessageName } from '../protocol/command/command-name';
import { decodeCommand } from '../protocol/command/command.decoder';
import { dataMessageBody } from '../protocol/command/data-message.builder';
import { decodeDataMessage, metaDataOf } from '../protocol/command/data-message.parser';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import {
  NetStatus,
  parseResultCommand,
  parseStatusCommand,
} from '../protocol/command/response-command.parser';
import { RtmpCommand } from '../protocol/command/rtmp-command';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { parseAudioTag } from '../protocol/flv/audio-tag.parser';
import { parseVideoTag } from '../protocol/flv/video-tag.parser';
import { ClientHandshake } from '../protocol/handshake/client-handshake';
import { DEFAULT_PROTOCOL_LIMITS, ProtocolLimits } from '../protocol/limits';
import { forEachAggregateSubMessage } from '../protocol/message/aggregate.codec';
import {
  createAcknowledgementMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
} from '../protocol/message/control-message.factory';
import { decodeControlMessage } from '../protocol/message/control-message.decoder';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { ListenerSet } from '../server/listener-set';
import type { MediaPacket } from '../server/media-packet';
import { RtmpClientError } from './rtmp-client.error';
import { describeRtmpUrl, parseRtmpUrl, RtmpUrl } from './rtmp-url';

export interface RtmpPlayClientOptions {
  /** `rtmp://host[:port]/app/streamName` or `rtmps://…` (port 443 by default). */
  readonly url: string;
  /**
   * `play` start, as FFmpeg sends it: -1000 (the default) live only, -2000 live or recorded,
   * 0 or more recorded from there (ms). Servers treat any negative value as live.
   */
  readonly start?: number;
  /** Time from the TCP connect to NetStream.Play.Start. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Buffer length announced with SetBufferLength after `play`, in ms. Default 3000 (FFmpeg's). */
  readonly bufferLengthMs?: number;
  /** Window announced with WindowAcknowledgementSize after connect. Default 2,500,000. */
  readonly windowAckSize?: number;
  /** `flashVer` of the connect object. Default FFmpeg's player value, `LNX 9,0,124,2`. */
  readonly flashVer?: string;
  /** Limits on what the server may send (message size, chunk size...). Defaults as the server's. */
  readonly limits?: Partial<ProtocolLimits>;
  /** TLS options for rtmps:// (certificate authorities, servername, rejectUnauthorized...). */
  readonly tls?: TlsOptions;
  /** Where an exception thrown by a listener goes (never into the connection). Default: console. */
  readonly onListenerError?: (error: unknown) => void;
}

/** Running totals of what the server sent on the played stream. */
export interface PlayClientStats {
  audioPackets: number;
  videoPackets: number;
  metadataPackets: number;
  /** Media messages dropped because their FLV header could not be parsed. */
  malformedPackets: number;
}

/** What the server says of the played stream with user control events. */
export type PlayedStreamEvent = 'begin' | 'eof';

type ClientState = 'idle' | 'connecting' | 'playing' | 'closing' | 'closed';

const DEFAULTS = {
  start: -1000,
  connectTimeoutMs: 10_000,
  bufferLengthMs: 3_000,
  windowAckSize: 2_500_000,
  flashVer: 'LNX 9,0,124,2',
} as const;
/** How long close() waits for the server to close before destroying the socket. */
const CLOSE_GRACE_MS = 2_000;
/** Data messages that are the server talking to its player, not part of the stream. */
const SERVER_DATA_MESSAGES: ReadonlySet<string> = new Set([
  DataMessageName.RtmpSampleAccess,
  // NetStream.Data.Start (FMS, Wowza) comes as a data message named onStatus.
  CommandName.OnStatus,
]);

/**
 * Plays one stream from a remote RTMP(S) server (ours, nginx-rtmp, SRS...), as FFmpeg's player
 * does: handshake, connect with a player's connect object, WindowAckSize, createStream,
 * `play`, SetBufferLength; then every audio, video and data message the server sends comes out
 * as a {@link MediaPacket}, the shape the server hands to its own consumers (parsed legacy or
 * Enhanced RTMP headers, `@setDataFrame` stripped), so a relay can pull from another server.
 *
 * Payloads are views into socket memory: copy what you keep past the listener call.
 */
export class RtmpPlayClient {
  readonly url: RtmpUrl;
  readonly stats: PlayClientStats = {
    audioPackets: 0,
    videoPackets: 0,
    metadataPackets: 0,
    malformedPackets: 0,
  };
  private readonly options: Required<Omit<RtmpPlayClientOptions, 'url' | 'tls' | 'limits'>> & {
    tls?: TlsOptions;
  };
  private readonly maxAmfDepth: number;
  private socket: Socket | undefined;
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private state: ClientState = 'idle';
  private playStreamId = 0;
  private transactionId = 1;
  private received = 0;
  private bytesAcknowledged = 0;
  private serverWindow = 0;
  private readonly pending = new Map<number, (command: RtmpCommand) => void>();
  private playWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly packetListeners: ListenerSet<MediaPacket>;
  private readonly statusListeners: ListenerSet<NetStatus>;
  private readonly closeListeners: ListenerSet<Error | undefined>;
  private readonly streamEventListeners: ListenerSet<PlayedStreamEvent>;
  private closeCause: Error | undefined;
  private closedPromise: Promise<void> | undefined;
  /** Whether the TCP (or TLS) connection was established: later socket errors lose it. */
  private connected = false;

  constructor(options: RtmpPlayClientOptions) {
    this.url = parseRtmpUrl(options.url);
    this.options = {
      start: options.start ?? DEFAULTS.start,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      bufferLengthMs: options.bufferLengthMs ?? DEFAULTS.bufferLengthMs,
      windowAckSize: options.windowAckSize ?? DEFAULTS.windowAckSize,
      flashVer: options.flashVer ?? DEFAULTS.flashVer,
      onListenerError:
        options.onListenerError ??
        ((error: unknown) =>
          console.error(`[rtmp] a listener of a play client threw: ${String(error)}`)),
      tls: options.tls,
    };
    const resolvedLimits = { ...DEFAULT_PROTOCOL_LIMITS, ...options.limits };
    this.maxAmfDepth = resolvedLimits.maxAmfDepth;
    this.reader = new ChunkReader((message) => this.onMessage(message), resolvedLimits);
    const onListenerError = this.options.onListenerError;
    this.packetListeners = new ListenerSet(onListenerError);
    this.statusListeners = new ListenerSet(onListenerError);
    this.closeListeners = new ListenerSet(onListenerError);
    this.streamEventListeners = new ListenerSet(onListenerError);
  }

  /** Whether the server answered NetStream.Play.Start and the connection is still open. */
  get playing(): boolean {
    return this.state === 'playing';
  }

  /** The message stream id the server gave the played stream (0 before createStream). */
  get streamId(): number {
    return this.playStreamId;
  }

  /** Bytes received from the server, handshake included. */
  get bytesReceived(): number {
    return this.received;
  }

  /**
   * Every audio, video and data message of the played stream, in order. Returns the function
   * that stops listening. A listener's exception goes to `onListenerError`, never into the
   * connection.
   */
  onPacket(listener: (packet: MediaPacket) => void): () => void {
    return this.packetListeners.add(listener);
  }

  /**
   * Every onStatus of the connection and stream: Play.Reset and Play.Start during `connect()`,
   * then Play.UnpublishNotify when the publisher leaves, Play.PublishNotify when one comes
   * back, Play.Stop when the server ends the play. An error-level status also closes the
   * client (see `onClose`).
   */
  onStatus(listener: (status: NetStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  /**
   * StreamBegin and StreamEOF of the played stream: `begin` when media (re)starts, `eof` when
   * its publisher left. nginx-rtmp says only this by default (it sends Play.UnpublishNotify
   * only with `publish_notify on`), so it is how a puller learns a publish has ended.
   */
  onStreamEvent(listener: (event: PlayedStreamEvent) => void): () => void {
    return this.streamEventListeners.add(listener);
  }

  /** Called once when the connection ends: `cause` is undefined after a clean `close()`. */
  onClose(listener: (cause: Error | undefined) => void): () => void {
    return this.closeListeners.add(listener);
  }

  /**
   * Connects and plays; resolves once NetStream.Play.Start arrives (a server may hold media
   * back until its stream goes live). Rejects with an {@link RtmpClientError}: the server's
   * code and description on a rejection (NetStream.Play.Failed, StreamNotFound, a refused
   * connect), a timeout, or the connection's failure.
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
        this.received += data.length;
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
              `no NetStream.Play.Start from ${describeRtmpUrl(this.url)} within ${this.options.connectTimeoutMs} ms`,
            ),
          ),
        this.options.connectTimeoutMs,
      );
      this.playWaiter = {
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

  /** Stops playing (deleteStream), ends the socket and resolves once it is closed. */
  async close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || this.state === 'closed') return;
    if (this.state === 'playing') {
      this.sendCommand(encodeDeleteStream(this.nextTransactionId(), this.playStreamId));
    }
    if (this.state !== 'closing') {
      this.state = 'closing';
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
    }
    this.playWaiter?.reject(
      new RtmpClientError(RtmpErrorCode.ClientClosed, 'closed before the play started'),
    );
    this.playWaiter = undefined;
    await this.closedPromise;
  }

  private startSession(): void {
    // FFmpeg's player connect object (gen_connect with is_input): no `type`, no swfUrl.
    const commandObject: AmfObject = {
      app: this.url.app,
      flashVer: this.options.flashVer,
      tcUrl: this.url.tcUrl,
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
    };
    this.request(encodeConnect(commandObject, 1), 1, (reply) => this.onConnectReply(reply));
  }

  private onConnectReply(reply: RtmpCommand): void {
    const result = parseResultCommand(reply);
    if (result.isError) {
      this.fail(this.rejection('connect', result.status?.code, result.status?.description));
      return;
    }
    this.send(createWindowAcknowledgementSizeMessage(this.options.windowAckSize));
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
      this.playStreamId = createResult.info;
      this.send({
        chunkStreamId: ChunkStreamId.Status,
        messageStreamId: this.playStreamId,
        typeId: MessageType.CommandAmf0,
        timestamp: 0,
        payload: encodePlay(this.nextTransactionId(), this.url.streamName, {
          start: this.options.start,
        }),
      });
      this.send(
        createUserControlMessage({
          kind: 'setBufferLength',
          streamId: this.playStreamId,
          bufferLength: this.options.bufferLengthMs,
        }),
      );
    });
  }

  private onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        this.onCommand(
          decodeCommand(message.payload, message.typeId, { maxDepth: this.maxAmfDepth }),
        );
        return;
      case MessageType.Audio:
      case MessageType.Video:
        this.onMedia(message);
        return;
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        this.onData(message);
        return;
      case MessageType.Aggregate:
        forEachAggregateSubMessage(message, (sub) => {
          if (sub.typeId === MessageType.Audio || sub.typeId === MessageType.Video) {
            this.onMedia(sub);
          } else if (sub.typeId === MessageType.DataAmf0 || sub.typeId === MessageType.DataAmf3) {
            this.onData(sub);
          }
        });
        return;
      default: {
        const control = decodeControlMessage(message);
        if (control === undefined) return; // shared objects, unknown types: not for a player
        if (control.type === 'windowAcknowledgementSize') this.serverWindow = control.windowSize;
        else if (
          control.type === 'userControl' &&
          (control.event.kind === 'streamBegin' || control.event.kind === 'streamEof') &&
          this.playStreamId !== 0 &&
          control.event.streamId === this.playStreamId
        ) {
          this.streamEventListeners.emit(control.event.kind === 'streamBegin' ? 'begin' : 'eof');
        } else if (control.type === 'userControl' && control.event.kind === 'pingRequest') {
          this.send(
            createUserControlMessage({
              kind: 'pingResponse',
              timestamp: control.event.timestamp,
            }),
          );
        }
      }
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
    if (command.name !== CommandName.OnStatus) return; // onBWDone, _onbwcheck...
    const { status } = parseStatusCommand(command);
    this.statusListeners.emit(status);
    if (status.level === NetStatusLevel.Error) {
      this.fail(this.rejection('play', status.code, status.description));
      return;
    }
    if (this.state === 'connecting' && status.code === NetStatusCode.PlayStart) {
      this.state = 'playing';
      this.playWaiter?.resolve();
      this.playWaiter = undefined;
    }
  }

  private onMedia(message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>): void {
    let packet: MediaPacket;
    try {
      packet =
        message.typeId === MessageType.Audio
          ? {
              type: 'audio',
              timestamp: message.timestamp,
              payload: message.payload,
              tag: parseAudioTag(message.payload),
            }
          : {
              type: 'video',
              timestamp: message.timestamp,
              payload: message.payload,
              tag: parseVideoTag(message.payload),
            };
    } catch {
      // The message boundary is intact: drop this one message, keep playing.
      this.stats.malformedPackets += 1;
      return;
    }
    if (packet.type === 'audio') this.stats.audioPackets += 1;
    else this.stats.videoPackets += 1;
    this.packetListeners.emit(packet);
  }

  private onData(message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>): void {
    let data;
    try {
      data = decodeDataMessage(message.payload, message.typeId, { maxDepth: this.maxAmfDepth });
    } catch {
      this.stats.malformedPackets += 1;
      return;
    }
    if (SERVER_DATA_MESSAGES.has(data.name)) return;
    this.stats.metadataPackets += 1;
    this.packetListeners.emit({
      type: 'metadata',
      timestamp: message.timestamp,
      payload: dataMessageBody(message, data.name, data.values),
      name: data.name,
      values: data.values,
      metadata: metaDataOf(data),
    });
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

  private send(message: RtmpMessage): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed || !socket.writable) return;
    const parts = this.writer.encode(message);
    socket.cork();
    for (const part of parts) socket.write(part);
    socket.uncork();
  }

  /** Acknowledges once the server announced a window and that many bytes came in. */
  private acknowledge(): void {
    if (this.serverWindow === 0) return;
    if (this.received - this.bytesAcknowledged < this.serverWindow) return;
    this.bytesAcknowledged = this.received;
    this.send(createAcknowledgementMessage(this.received % 0x100000000));
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
    this.playWaiter?.reject(error);
    this.playWaiter = undefined;
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
    this.playWaiter?.reject(
      cause ?? new RtmpClientError(RtmpErrorCode.ClientClosed, 'closed before the play started'),
    );
    this.playWaiter = undefined;
    this.pending.clear();
    this.packetListeners.clear();
    this.statusListeners.clear();
    this.streamEventListeners.clear();
    this.closeListeners.emit(cause);
    this.closeListeners.clear();
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
