import { Socket } from 'net';
import { describeStream, redactStreamKey } from '../common/mask-stream-key';
import { RtmpConnection, RtmpConnectionHandler } from '../connection/rtmp-connection';
import { ChunkMemoryBudget } from '../protocol/chunk/chunk-memory-budget';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { ServerHandshake } from '../protocol/handshake/server-handshake';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { LiveStream, StreamEnd, StreamEndReason } from './live-stream';
import { PendingMessageHolder } from './pending-message-budget';
import { PlayedStream } from './played-stream';
import { PublishedStream } from './published-stream';
import { SessionDeadline } from './session-deadline';
import {
  BEFORE_ACCEPT_READER_POLICY,
  limitsBeforeAccept,
  SessionHost,
  SessionState,
  unreadAllowance,
} from './session-host';
import { SessionError } from './session.error';
import { PlayEnd } from './stream-player';
import { StreamRequest } from './stream-request';

/**
 * What a server session is whatever its commands say: its connection and limits, its state,
 * what it publishes or plays, and every way it ends (failed, displaced by a full server, evicted
 * by a newer publisher, kicked by the application, shut down, or closed by the peer). The
 * commands that move it from state to state are RtmpSession's. Every fault closes this
 * connection only, with a typed reason.
 */
export abstract class SessionLifecycle
  implements ChunkMemoryBudget, PendingMessageHolder, RtmpConnectionHandler
{
  protected sessionState: SessionState = 'handshake';
  protected readonly connection: RtmpConnection;
  protected readonly deadline = new SessionDeadline((error) => this.fail(error));
  /** Set from an accepted publish until it ends. */
  protected published: PublishedStream | undefined;
  /** Set from an accepted play until it stops. */
  protected played: PlayedStream | undefined;
  /** The verifier's question in progress, aborted if the connection closes before the verdict. */
  protected verification: AbortController | undefined;
  private closeReason: StreamEndReason = 'disconnected';
  private closeError: Error | undefined;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    protected readonly host: SessionHost,
  ) {
    const { options } = host;
    this.connection = new RtmpConnection(
      socket,
      {
        handshake: new ServerHandshake(),
        limits: limitsBeforeAccept(options),
        memoryBudget: this,
        readerPolicy: BEFORE_ACCEPT_READER_POLICY,
        unreadAllowance: () => unreadAllowance(this.host.options, this.played !== undefined),
      },
      this,
    );
    socket.setNoDelay(true);
    this.deadline.arm(
      options.handshakeTimeoutMs,
      RtmpErrorCode.SessionHandshakeTimeout,
      'handshake',
    );
  }

  abstract onCommand(message: RtmpMessage): void;
  abstract onMedia(message: RtmpMessage): void;
  abstract onData(message: RtmpMessage): void;

  get state(): SessionState {
    return this.sessionState;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  /** Monotonic time of the last media message, for idle and stale-publisher checks. */
  get lastMediaAt(): number {
    return this.published?.lastMediaAt ?? 0;
  }

  get liveStream(): LiveStream | undefined {
    return this.published?.stream;
  }

  /** Whether the verifier accepted this connection's publish or play. */
  get accepted(): boolean {
    return this.sessionState === 'publishing' || this.sessionState === 'playing';
  }

  /** Whether it has not got past the handshake, connect, or publish/play command yet. */
  get progress(): 'handshake' | 'connecting' | 'connected' | undefined {
    const state = this.sessionState;
    return state === 'handshake' || state === 'connecting' || state === 'connected'
      ? state
      : undefined;
  }

  get pendingMessageBytes(): number {
    return this.connection.pendingMessageBytes;
  }

  reserveMessageBytes(bytes: number): void {
    this.host.reserveMessageBytes(this, bytes);
  }

  releaseMessageBytes(bytes: number): void {
    this.host.releaseMessageBytes(bytes);
  }

  /** Closed by the server-wide budget of unfinished messages to make room. */
  evictForMemory(error: RtmpError): void {
    this.fail(error);
  }

  /**
   * Closed by a full server to admit a newer connection. Quietly: under a flood the server
   * sums these up instead of logging each.
   */
  displace(): void {
    if (this.sessionState === 'closed' || this.sessionState === 'closing') return;
    this.host.logger.debug?.(`${this.label()} displaced: the server is full`);
    this.closeError = new SessionError(
      RtmpErrorCode.SessionDisplaced,
      'displaced by a newer connection: the server is full',
    );
    this.closeReason = 'error';
    this.close();
  }

  /** Resolves once the socket is closed. */
  whenClosed(): Promise<void> {
    return this.connection.whenClosed();
  }

  /** Ends a publisher replaced by a newcomer (see StreamRegistry). */
  evict(reason: string): void {
    this.host.logger.warn(`${this.label()} ${reason}`);
    this.endGracefully({ reason: 'replaced' });
  }

  /**
   * Ends the publish because the application said so (`RtmpServer.disconnect`): the publisher
   * is told with an error status carrying `message`, then the connection closes.
   */
  kick(message: string): void {
    const said = redactStreamKey(message, this.published?.stream.request.streamName ?? '');
    this.host.logger.warn(`${this.label()} disconnected by the application: ${said}`);
    this.endGracefully({ reason: 'kicked', message: said });
  }

  /** Closes politely for a server shutdown: tells a publisher, ends the socket. */
  shutdown(): Promise<void> {
    this.endGracefully({ reason: 'server-closed' });
    return this.whenClosed();
  }

  /** Closes because of `error`; the error is logged with its code and ends the stream. */
  fail(error: Error): void {
    if (this.sessionState === 'closed' || this.sessionState === 'closing') return;
    const code = error instanceof RtmpError ? error.code : RtmpErrorCode.SessionInternal;
    this.host.logger.warn(`${this.label()} closed: ${code}: ${error.message}`);
    this.closeReason = 'error';
    this.closeError = error;
    this.close();
  }

  /** Destroys the socket at once and gives back what the connection held. */
  private close(): void {
    this.sessionState = 'closing';
    this.endStream(
      this.closeReason === 'error'
        ? { reason: 'error', error: this.closeError }
        : { reason: this.closeReason },
    );
    this.deadline.clear();
    this.connection.destroy();
  }

  /** Checks the idle-media timeout; called periodically by the server. */
  checkIdle(now: number): void {
    if (this.sessionState !== 'publishing') return;
    const error = this.published?.idleError(now);
    if (error !== undefined) this.fail(error);
  }

  onReadError(error: Error): void {
    this.fail(error);
  }

  /** Every write is refused past this (see RtmpConnection): the peer is closed instead. */
  onPeerNotReading(unreadBytes: number): void {
    this.fail(
      new SessionError(
        RtmpErrorCode.SessionPeerNotReading,
        `the peer leaves ${unreadBytes} bytes unread`,
        { unreadBytes },
      ),
    );
  }

  onSocketError(error: Error): void {
    // ECONNRESET and friends: the close handler ends the stream as "disconnected".
    this.host.logger.debug?.(`${this.label()} socket error: ${error.message}`);
  }

  onClose(): void {
    // Closed first: what ends below then sees a session that waits for no further command.
    this.sessionState = 'closed';
    this.deadline.clear();
    this.verification?.abort(
      new SessionError(RtmpErrorCode.SessionSocket, 'the connection closed before the verdict'),
    );
    const reason = this.closeReason;
    this.endStream(reason === 'error' ? { reason, error: this.closeError } : { reason });
    this.stopPlaying(
      reason === 'error'
        ? { reason, error: this.closeError }
        : { reason: reason === 'server-closed' ? reason : 'disconnected' },
    );
    this.host.sessionClosed(this);
  }

  protected stopPlaying(end: PlayEnd): void {
    const played = this.played;
    if (played === undefined) return;
    this.played = undefined;
    played.stop(end);
    if (this.sessionState !== 'playing') return;
    this.sessionState = 'connected';
    // As after an unpublish: a connection that stopped playing may play or publish again,
    // within the usual allowance, instead of staying open forever doing nothing.
    this.awaitStreamCommand('publish or play');
  }

  /** Waits for a publish or play, within `connectToPublishTimeoutMs`. */
  protected awaitStreamCommand(what: string): void {
    const ms = this.host.options.connectToPublishTimeoutMs;
    this.deadline.arm(ms, RtmpErrorCode.SessionPublishTimeout, what);
  }

  /** Ends the publish (if any), says so where the socket is open, and ends the socket. */
  private endGracefully(
    end: StreamEnd & { reason: 'replaced' | 'server-closed' | 'kicked' },
  ): void {
    if (this.sessionState === 'closing' || this.sessionState === 'closed') return;
    if (this.sessionState === 'publishing') this.published?.endedByServer(end);
    if (this.sessionState === 'playing') this.played?.endedByServer();
    this.stopPlaying({ reason: 'server-closed' });
    this.closeReason = end.reason;
    this.endStream(end);
    this.endSocket();
  }

  /** Flushes what was written, then closes; destroys the socket if the peer lingers. */
  protected endSocket(): void {
    if (this.sessionState === 'closed') return;
    this.sessionState = 'closing';
    this.deadline.clear();
    this.connection.end();
  }

  protected endStream(end: StreamEnd): void {
    const published = this.published;
    if (published === undefined) return;
    this.published = undefined;
    this.host.releaseStream(this, published.stream);
    published.end(end);
  }

  protected label(): string {
    return `session#${this.id} ${this.remoteAddress}:${this.remotePort}`;
  }

  /**
   * How logs name the stream a request asks for: its name masked (it may be the key), unless
   * `publicName` says it is the public name of a live stream.
   */
  protected streamLabel(request: StreamRequest, publicName?: string): string {
    return describeStream(request.app, request.streamName, this.host.options.apps, publicName);
  }
}
