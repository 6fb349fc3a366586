import { ConnectionOptions as TlsOptions } from 'tls';
import { AmfObject } from '../protocol/amf/amf-value';
import { encodeDeleteStream, encodePlay } from '../protocol/command/client-command.builder';
import { CommandName, DataMessageName } from '../protocol/command/command-name';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { NetStatus } from '../protocol/command/response-command.parser';
import { ProtocolLimits } from '../protocol/limits';
import {
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
} from '../protocol/message/control-message.factory';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { UserControlEvent } from '../protocol/message/user-control-event';
import { ListenerSet } from '../media/listener-set';
import {
  MediaPacket,
  mediaPacketOf,
  MetadataPacket,
  metadataPacketOf,
} from '../media/media-packet';
import { RtmpClientConnection } from './rtmp-client-connection';
import { parseRtmpUrl, RtmpUrl } from './rtmp-url';

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

const DEFAULTS = {
  start: -1000,
  connectTimeoutMs: 10_000,
  bufferLengthMs: 3_000,
  windowAckSize: 2_500_000,
  flashVer: 'LNX 9,0,124,2',
} as const;
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
  private readonly connection: RtmpClientConnection;
  private playStreamId = 0;
  private readonly packetListeners: ListenerSet<MediaPacket>;
  private readonly statusListeners: ListenerSet<NetStatus>;
  private readonly closeListeners: ListenerSet<Error | undefined>;
  private readonly streamEventListeners: ListenerSet<PlayedStreamEvent>;

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
    this.connection = new RtmpClientConnection(
      {
        url: this.url,
        purpose: 'play',
        startCode: NetStatusCode.PlayStart,
        connectTimeoutMs: this.options.connectTimeoutMs,
        tls: this.options.tls,
        limits: options.limits,
      },
      {
        onHandshake: () => this.startSession(),
        onStatus: (status) => this.onServerStatus(status),
        onUserControl: (event) => this.onUserControl(event),
        onMedia: (message) => this.onMedia(message),
        onData: (message) => this.onData(message),
        onClose: (cause) => this.onClosed(cause),
      },
    );
    const onListenerError = this.options.onListenerError;
    this.packetListeners = new ListenerSet(onListenerError);
    this.statusListeners = new ListenerSet(onListenerError);
    this.closeListeners = new ListenerSet(onListenerError);
    this.streamEventListeners = new ListenerSet(onListenerError);
  }

  /** Whether the server answered NetStream.Play.Start and the connection is still open. */
  get playing(): boolean {
    return this.connection.state === 'started';
  }

  /** The message stream id the server gave the played stream (0 before createStream). */
  get streamId(): number {
    return this.playStreamId;
  }

  /** Bytes received from the server, handshake included. */
  get bytesReceived(): number {
    return this.connection.bytesReceived;
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
    return this.connection.connect();
  }

  /** Stops playing (deleteStream), ends the socket and resolves once it is closed. */
  async close(): Promise<void> {
    const connection = this.connection;
    if (this.playing) {
      connection.sendCommand(encodeDeleteStream(connection.nextTransactionId(), this.playStreamId));
    }
    await connection.close();
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
    const connection = this.connection;
    connection.connectApp(commandObject, () => {
      connection.send(createWindowAcknowledgementSizeMessage(this.options.windowAckSize));
      connection.createStream((streamId) => {
        this.playStreamId = streamId;
        const { start } = this.options;
        const play = encodePlay(connection.nextTransactionId(), this.url.streamName, { start });
        connection.sendCommand(play, streamId);
        connection.send(
          createUserControlMessage({
            kind: 'setBufferLength',
            streamId,
            bufferLength: this.options.bufferLengthMs,
          }),
        );
      });
    });
  }

  private onUserControl(event: UserControlEvent): void {
    if (
      (event.kind === 'streamBegin' || event.kind === 'streamEof') &&
      this.playStreamId !== 0 &&
      event.streamId === this.playStreamId
    ) {
      this.streamEventListeners.emit(event.kind === 'streamBegin' ? 'begin' : 'eof');
    }
  }

  private onServerStatus(status: NetStatus): void {
    this.statusListeners.emit(status);
    if (status.level === NetStatusLevel.Error) {
      this.connection.failRefused('play', status);
      return;
    }
    if (this.connection.state === 'connecting' && status.code === NetStatusCode.PlayStart) {
      this.connection.markStarted();
    }
  }

  private onMedia(message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>): void {
    let packet: MediaPacket;
    try {
      packet = mediaPacketOf(message);
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
    let packet: MetadataPacket;
    try {
      packet = metadataPacketOf(message, { maxDepth: this.connection.maxAmfDepth });
    } catch {
      this.stats.malformedPackets += 1;
      return;
    }
    if (SERVER_DATA_MESSAGES.has(packet.name)) return;
    this.stats.metadataPackets += 1;
    this.packetListeners.emit(packet);
  }

  private onClosed(cause: Error | undefined): void {
    this.packetListeners.clear();
    this.statusListeners.clear();
    this.streamEventListeners.clear();
    this.closeListeners.emit(cause);
    this.closeListeners.clear();
  }
}
