import { connect as connectTcp, Socket } from 'net';
import { connect as connectTls, ConnectionOptions as TlsOptions } from 'tls';
import { AmfObject } from '../protocol/amf/amf-value';
import { RtmpConnection } from '../connection/rtmp-connection';
import { encodeConnect, encodeCreateStream } from '../protocol/command/client-command.builder';
import { CommandName } from '../protocol/command/command-name';
import { decodeCommand } from '../protocol/command/command.decoder';
import {
  NetStatus,
  parseResultCommand,
  parseStatusCommand,
} from '../protocol/command/response-command.parser';
import { RtmpCommand } from '../protocol/command/rtmp-command';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { ClientHandshake } from '../protocol/handshake/client-handshake';
import { DEFAULT_PROTOCOL_LIMITS, ProtocolLimits } from '../protocol/limits';
import { createCommandMessage } from '../protocol/message/command-message.factory';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { UserControlEvent } from '../protocol/message/user-control-event';
import { RtmpClientError } from './rtmp-client.error';
import { describeRtmpUrl, RtmpUrl } from './rtmp-url';

/** What the connection needs to know of the client it carries. */
export interface RtmpClientConnectionOptions {
  /** The server and stream to reach. */
  readonly url: RtmpUrl;
  /** What the client is there to do (`publish`, `play`), for error messages. */
  readonly purpose: string;
  /** The onStatus code that completes `connect()` (NetStream.Publish.Start...), for messages. */
  readonly startCode: string;
  /** Time from the TCP connect to `markStarted()`. */
  readonly connectTimeoutMs: number;
  /** TLS options for rtmps://. */
  readonly tls?: TlsOptions;
  /** Limits on what the server may send. Defaults as the server's. */
  readonly limits?: Partial<ProtocolLimits>;
}

/** What the connection hands to its client. */
export interface RtmpClientConnectionEvents {
  /** The handshake is done: the client sends connect (and whatever must precede it). */
  onHandshake(): void;
  /** Every onStatus command of the connection and its streams. */
  onStatus(status: NetStatus): void;
  /** User control events other than PingRequest, which the connection answers itself. */
  onUserControl?(event: UserControlEvent): void;
  /** Audio and video messages (those of an aggregate one by one). */
  onMedia?(message: RtmpMessage): void;
  /** Data messages (metadata...), from aggregates too. */
  onData?(message: RtmpMessage): void;
  /** Called once when the socket closed: `cause` is undefined after a clean `close()`. */
  onClose(cause: Error | undefined): void;
}

/** `started` once the client saw its start code (Publish.Start, Play.Start). */
export type RtmpClientConnectionState = 'idle' | 'connecting' | 'started' | 'closing' | 'closed';

/**
 * The connection under both clients: TCP or TLS connect with a timeout, client handshake,
 * chunk reader and writer, pings, acknowledgements against the server's window, request and
 * reply by transaction id, connect and createStream, and a close that is clean or has a cause.
 * The client decides what the statuses mean and when it has started.
 */
export class RtmpClientConnection {
  /** Deepest AMF nesting accepted from the server (the `maxAmfDepth` limit). */
  readonly maxAmfDepth: number;
  private readonly limits: ProtocolLimits;
  private readonly decodeOptions: { readonly maxDepth: number };
  private socket: Socket | undefined;
  /** The RTMP connection over the socket, once there is one. */
  private connection: RtmpConnection | undefined;
  private currentState: RtmpClientConnectionState = 'idle';
  private transactionId = 1;
  private readonly pending = new Map<number, (command: RtmpCommand) => void>();
  private startWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private closeCause: Error | undefined;
  /** Whether the TCP (or TLS) connection was established: later socket errors lose it. */
  private connected = false;

  constructor(
    private readonly options: RtmpClientConnectionOptions,
    private readonly events: RtmpClientConnectionEvents,
  ) {
    this.limits = { ...DEFAULT_PROTOCOL_LIMITS, ...options.limits };
    this.maxAmfDepth = this.limits.maxAmfDepth;
    this.decodeOptions = { maxDepth: this.maxAmfDepth };
  }

  /** Where the connection is: `started` from `markStarted()` until it closes. */
  get state(): RtmpClientConnectionState {
    return this.currentState;
  }

  /** Bytes received from the server, handshake included. */
  get bytesReceived(): number {
    return this.connection?.bytesReceived ?? 0;
  }

  /** Bytes written to the socket but not yet sent. */
  get queuedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /**
   * Connects and handshakes; resolves at `markStarted()`. Rejects with an
   * {@link RtmpClientError} on a timeout, a refusal (`failRefused`) or the connection's failure.
   */
  connect(): Promise<void> {
    if (this.currentState !== 'idle') {
      return Promise.reject(new Error('connect() may be called once'));
    }
    this.currentState = 'connecting';
    const { host, port, secure } = this.options.url;
    const socket = secure
      ? connectTls({ host, port, servername: isIp(host) ? undefined : host, ...this.options.tls })
      : connectTcp({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    const handshake = new ClientHandshake();
    const connection = new RtmpConnection(
      socket,
      { handshake, limits: this.limits },
      {
        onHandshake: () => this.events.onHandshake(),
        onCommand: (message) =>
          this.onCommand(decodeCommand(message.payload, message.typeId, this.decodeOptions)),
        onMedia: (message) => this.events.onMedia?.(message),
        onData: (message) => this.events.onData?.(message),
        onUserControl: (event) => this.events.onUserControl?.(event),
        onReadError: (error) => this.fail(error),
        onSocketError: (error) => this.fail(this.socketError(error)),
        onClose: () => this.onSocketClose(),
      },
    );
    this.connection = connection;
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      socket.write(handshake.start());
    });
    return this.waitForStart();
  }

  /** The start code arrived: `connect()` resolves. */
  markStarted(): void {
    this.currentState = 'started';
    this.startWaiter?.resolve();
    this.startWaiter = undefined;
  }

  /** Announces and applies an outgoing chunk size. */
  setChunkSize(chunkSize: number): void {
    this.connection?.setChunkSize(chunkSize);
  }

  /** Sends `connect` (transaction 1); `onAccepted` runs on its `_result`, a refusal fails. */
  connectApp(commandObject: AmfObject, onAccepted: () => void): void {
    this.request(encodeConnect(commandObject, 1), 1, (reply) => {
      const result = parseResultCommand(reply);
      if (result.isError) this.failRefused('connect', result.status);
      else onAccepted();
    });
  }

  /** Sends `createStream`; `onCreated` gets the stream id, a refusal fails. */
  createStream(onCreated: (streamId: number) => void): void {
    const transactionId = this.nextTransactionId();
    this.request(encodeCreateStream(transactionId), transactionId, (reply) => {
      const result = parseResultCommand(reply);
      if (result.isError || typeof result.info !== 'number') {
        this.failRefused('createStream', result.status);
        return;
      }
      onCreated(result.info);
    });
  }

  /** Sends an AMF0 command on stream 0 (command chunk stream) or on a created stream. */
  sendCommand(payload: Buffer, messageStreamId = 0): void {
    this.send(createCommandMessage(messageStreamId, payload));
  }

  /** Writes one message; false when the socket can no longer take it. */
  send(message: RtmpMessage): boolean {
    return this.connection?.send(message) ?? false;
  }

  nextTransactionId(): number {
    this.transactionId += 1;
    return this.transactionId;
  }

  /** Fails with the server's refusal of `step` (connect, publish...): code and description. */
  failRefused(step: string, status: Pick<NetStatus, 'code' | 'description'> | undefined): void {
    const code = status?.code;
    const description = status?.description;
    this.fail(
      new RtmpClientError(
        RtmpErrorCode.ClientRejected,
        `${describeRtmpUrl(this.options.url)} refused ${step}: ${code ?? 'no code'}${description ? ` (${description})` : ''}`,
        code,
        description,
      ),
    );
  }

  /** Ends the connection with `error` as its cause (the first cause wins). */
  fail(error: Error): void {
    if (this.currentState === 'closed') return;
    this.closeCause ??= error;
    this.startWaiter?.reject(error);
    this.startWaiter = undefined;
    this.currentState = 'closing';
    this.socket?.destroy();
  }

  /** Ends the socket (destroyed after a grace period) and resolves once it is closed. */
  async close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || this.currentState === 'closed') return;
    if (this.currentState !== 'closing') {
      this.currentState = 'closing';
      this.connection?.end();
    }
    this.startWaiter?.reject(this.closedBeforeStart());
    this.startWaiter = undefined;
    await this.connection?.whenClosed();
  }

  private waitForStart(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { url, startCode, connectTimeoutMs } = this.options;
      const timer = setTimeout(
        () =>
          this.fail(
            new RtmpClientError(
              RtmpErrorCode.ClientTimeout,
              `no ${startCode} from ${describeRtmpUrl(url)} within ${connectTimeoutMs} ms`,
            ),
          ),
        connectTimeoutMs,
      );
      this.startWaiter = {
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

  private onCommand(command: RtmpCommand): void {
    if (command.name === CommandName.Result || command.name === CommandName.Error) {
      const handler = this.pending.get(command.transactionId);
      if (handler !== undefined) {
        this.pending.delete(command.transactionId);
        handler(command);
      }
      return;
    }
    if (command.name !== CommandName.OnStatus) return; // onBWDone, onFCPublish, _onbwcheck...
    this.events.onStatus(parseStatusCommand(command).status);
  }

  private request(
    payload: Buffer,
    transactionId: number,
    onReply: (reply: RtmpCommand) => void,
  ): void {
    this.pending.set(transactionId, onReply);
    this.sendCommand(payload);
  }

  /**
   * A socket error as a client error: before the connection is up (refused, unreachable, TLS
   * verification) the connect failed; afterwards (a reset mid-stream) the connection was lost.
   */
  private socketError(error: Error): Error {
    if (error instanceof RtmpError) return error;
    const url = describeRtmpUrl(this.options.url);
    // Node's code (ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED...) tells a misconfigured
    // destination from one that is down (see permanentFailureReason).
    const context = { systemCode: (error as NodeJS.ErrnoException).code };
    return this.connected
      ? new RtmpClientError(
          RtmpErrorCode.ClientClosed,
          `connection to ${url} lost: ${error.message}`,
          undefined,
          undefined,
          context,
        )
      : new RtmpClientError(
          RtmpErrorCode.ClientConnectFailed,
          `connection to ${url} failed: ${error.message}`,
          undefined,
          undefined,
          context,
        );
  }

  private closedBeforeStart(): RtmpClientError {
    const { purpose } = this.options;
    return new RtmpClientError(RtmpErrorCode.ClientClosed, `closed before the ${purpose} started`);
  }

  private onSocketClose(): void {
    const wasClosing = this.currentState === 'closing';
    this.currentState = 'closed';
    const cause =
      this.closeCause ??
      (wasClosing
        ? undefined
        : new RtmpClientError(
            RtmpErrorCode.ClientClosed,
            `${describeRtmpUrl(this.options.url)} closed the connection`,
          ));
    this.startWaiter?.reject(cause ?? this.closedBeforeStart());
    this.startWaiter = undefined;
    this.pending.clear();
    this.events.onClose(cause);
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
