import { Socket } from 'net';
import { describeError } from '../common/describe-error';
import { ChunkMemoryBudget } from '../protocol/chunk/chunk-memory-budget';
import { RtmpConnection, RtmpConnectionHandler } from '../connection/rtmp-connection';
import { readClientCommand } from '../protocol/command/client-command.reader';
import { decodeCommand } from '../protocol/command/command.decoder';
import { ConnectCommand } from '../protocol/command/connect-command.parser';
import { NetStatusCode, NetStatusLevel } from '../protocol/command/net-status-code';
import { RtmpCommand } from '../protocol/command/rtmp-command';
import {
  encodeCreateStreamResult,
  encodeEmptyResult,
  encodeOnFCPublish,
} from '../protocol/command/server-command.builder';
import { PlayCommand, PublishCommand } from '../protocol/command/stream-command.parser';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { ServerHandshake } from '../protocol/handshake/server-handshake';
import { createConnectionCommandMessage } from '../protocol/message/command-message.factory';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { LiveStream, StreamEnd, StreamEndReason } from './live-stream';
import {
  describeApp,
  describeStream,
  maskStreamKey,
  redactStreamKey,
} from '../common/mask-stream-key';
import { PendingMessageHolder } from './pending-message-budget';
import { StreamRequest } from './stream-request';
import { SessionError } from './session.error';
import { Applicant, PlayAdmission, PublishAdmission, Refusal } from './admission';
import { ConnectedApp } from './connected-app';
import {
  acceptConnect,
  acceptPublish,
  endPlayer,
  endPublisher,
  refuseConnect,
  refuseStream,
  sendStatus,
} from './session-replies';
import { SessionDeadline } from './session-deadline';
import { MessageStreams } from './message-streams';
import { PublishedStream } from './published-stream';
import { announcePlay, playerOn } from './session-player';
import { PlayEnd, StreamPlayer } from './stream-player';
import {
  ACCEPTED_READER_POLICY,
  BEFORE_ACCEPT_READER_POLICY,
  limitsBeforeAccept,
  SessionHost,
  SessionState,
  unreadAllowance,
} from './session-host';

export type { SessionHost, SessionState } from './session-host';

/**
 * One client connection: handshake, connect, createStream, publish, verification, then media
 * until the publisher leaves. Every fault closes this connection only, with a typed reason.
 */
export class RtmpSession implements ChunkMemoryBudget, PendingMessageHolder, RtmpConnectionHandler {
  private sessionState: SessionState = 'handshake';
  private readonly connection: RtmpConnection;
  private readonly deadline = new SessionDeadline((error) => this.fail(error));
  /** What a publish or play request needs from `connect`, once accepted. */
  private app: ConnectedApp | undefined;
  private readonly streams: MessageStreams;
  /** Commands it may still send before it is accepted; unbounded once it is. */
  private commandAllowance: number;
  /** The message stream of the latest publish or play. */
  private requestStreamId = 0;
  /** Set from an accepted publish until it ends. */
  private published: PublishedStream | undefined;
  private player: StreamPlayer | undefined;
  private closeReason: StreamEndReason = 'disconnected';
  private closeError: Error | undefined;
  /** The verifier's question in progress, aborted if the connection closes before the verdict. */
  private verification: AbortController | undefined;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly host: SessionHost,
  ) {
    const { options } = host;
    this.commandAllowance = options.maxCommandsBeforeAccept;
    this.streams = new MessageStreams(options.maxStreamsPerConnection);
    this.connection = new RtmpConnection(
      socket,
      {
        handshake: new ServerHandshake(),
        limits: limitsBeforeAccept(options),
        memoryBudget: this,
        readerPolicy: BEFORE_ACCEPT_READER_POLICY,
        unreadAllowance: () => unreadAllowance(this.host.options, this.player !== undefined),
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
    const published = this.published;
    if (this.sessionState !== 'publishing' || published === undefined) return;
    const silent = now - published.lastMediaAt;
    if (silent > this.host.options.idleMediaTimeoutMs) {
      this.fail(
        new SessionError(
          RtmpErrorCode.SessionIdleTimeout,
          `no media for ${silent} ms (idleMediaTimeoutMs ${this.host.options.idleMediaTimeoutMs})`,
          { silentMs: silent },
        ),
      );
    }
  }

  onReadError(error: Error): void {
    this.fail(error);
  }

  onHandshake(): void {
    this.sessionState = 'connecting';
    this.awaitStreamCommand('connect and publish');
  }

  /** A command from the connection: counted against the allowance, decoded, acted on. */
  onCommand(message: RtmpMessage): void {
    this.countCommand();
    this.handleCommand(
      message,
      decodeCommand(message.payload, message.typeId, {
        maxDepth: this.host.options.maxAmfDepth,
        maxEntries: this.host.options.maxAmfEntries,
      }),
    );
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

  /** Counts a command against `maxCommandsBeforeAccept`, before it is decoded. */
  private countCommand(): void {
    this.commandAllowance -= 1;
    if (this.commandAllowance >= 0) return;
    const max = this.host.options.maxCommandsBeforeAccept;
    throw new SessionError(
      RtmpErrorCode.SessionTooManyCommands,
      `more than maxCommandsBeforeAccept (${max}) commands before a publish or play was accepted`,
      { maxCommandsBeforeAccept: max },
    );
  }

  /** The verifier accepted a publish or play: the peer gets its full limits from now on. */
  private trust(): void {
    this.commandAllowance = Number.POSITIVE_INFINITY;
    this.connection.reconfigure(this.host.options, ACCEPTED_READER_POLICY);
  }

  private handleCommand(message: RtmpMessage, command: RtmpCommand): void {
    const read = readClientCommand(command);
    switch (read.kind) {
      case 'connect':
        this.onConnect(command, read);
        return;
      case 'releaseStream':
        this.replyEmptyResult(command);
        return;
      case 'FCPublish':
        this.requireConnected(command);
        this.replyEmptyResult(command);
        this.sendCommand(encodeOnFCPublish(`FCPublish to ${maskStreamKey(read.streamName)}`));
        return;
      case 'createStream':
        this.requireConnected(command);
        this.sendCommand(encodeCreateStreamResult(read.transactionId, this.streams.create()));
        return;
      case 'publish':
        this.onPublish(message, command, read);
        return;
      case 'FCUnpublish':
        this.onUnpublish();
        return;
      case 'closeStream':
        this.onUnpublish();
        this.stopPlaying({ reason: 'stopped' });
        return;
      case 'deleteStream': {
        const { streamId } = read;
        if (streamId === undefined) {
          // No stream id we can read (GStreamer's teardown): the client is done with its streams.
          this.onUnpublish();
          this.stopPlaying({ reason: 'stopped' });
          return;
        }
        this.streams.delete(streamId);
        if (streamId === this.requestStreamId) this.onUnpublish();
        if (streamId === this.player?.streamId) this.stopPlaying({ reason: 'stopped' });
        return;
      }
      case 'play':
        this.onPlay(message, command, read);
        return;
      case 'other':
      // _checkbw, getStreamLength, results and anything unknown: ignored, as nginx does.
    }
  }

  private onConnect(command: RtmpCommand, connect: ConnectCommand): void {
    if (this.sessionState !== 'connecting') throw this.unexpected(command);
    const app = new ConnectedApp(connect);
    const { options } = this.host;
    if (options.apps !== undefined && !options.apps.includes(app.name)) {
      this.host.logger.warn(
        `${this.label()} connect refused: app "${describeApp(app.name, options.apps)}" not served`,
      );
      refuseConnect(this.connection, command.transactionId, app.name);
      this.endSocket();
      return;
    }
    this.app = app;
    acceptConnect(this.connection, options, command.transactionId, connect.objectEncoding);
    this.sessionState = 'connected';
  }

  /**
   * The request a publish or a play on `message`'s stream puts to the verifier. Stops the
   * connect-to-publish timer: the verifier's own timeout applies from here.
   */
  private streamRequest(
    message: RtmpMessage,
    action: StreamRequest['action'],
    rawName: string,
    publishType: string,
  ): StreamRequest {
    this.deadline.clear();
    this.requestStreamId = message.messageStreamId;
    return (this.app as ConnectedApp).request(action, rawName, publishType, {
      sessionId: this.id,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
    });
  }

  private onPublish(message: RtmpMessage, command: RtmpCommand, publish: PublishCommand): void {
    if (this.sessionState !== 'connected') throw this.unexpected(command);
    const request = this.streamRequest(message, 'publish', publish.streamName, publish.publishType);
    if (request.streamName === '') {
      this.refuse(request, { accepted: false, reason: 'empty stream name', code: 'BadName' });
      return;
    }
    // Nothing is sent to the publisher until the verdict is in (srs#4037).
    this.sessionState = 'verifying';
    this.host.admission.publish(this, request, this.applicant(request), (admission) =>
      this.onPublishAdmission(request, admission),
    );
  }

  /**
   * This connection as it asks for a verdict: the signal is aborted if it closes meanwhile, and
   * the verdict is acted on only while it still waits for it.
   */
  private applicant(request: StreamRequest): Applicant {
    const verification = new AbortController();
    this.verification = verification;
    return {
      signal: verification.signal,
      stillWaiting: () => {
        if (this.verification === verification) this.verification = undefined;
        return this.sessionState === 'verifying';
      },
      onListenerError: (error) =>
        this.host.logger.error(
          `${this.label()} a listener of ${this.streamLabel(request)} threw: ${describeError(error)}`,
        ),
      fail: (error) => this.fail(asError(error)),
    };
  }

  private onPublishAdmission(request: StreamRequest, admission: PublishAdmission): void {
    if (admission.outcome === 'abandoned') return;
    try {
      if (admission.outcome === 'refused') {
        this.refuse(request, admission.refusal);
        return;
      }
      const { stream } = admission;
      this.published = new PublishedStream(stream, this.host, this.label());
      this.sessionState = 'publishing';
      this.trust();
      acceptPublish(this.connection, this.requestStreamId);
      // A peer that stopped reading was closed by a send above, and its stream ended.
      if (this.published?.stream !== stream) return;
      this.host.logger.log(`${this.label()} publishing ${this.streamLabel(request)}`);
      admission.announce();
    } catch (error) {
      this.fail(asError(error));
    }
  }

  private refuse(request: StreamRequest, refusal: Refusal): void {
    // The reason comes from the verifier, which may have quoted the key.
    const reason = redactStreamKey(refusal.reason, request.streamName);
    this.host.logger.warn(
      `${this.label()} ${request.action} of ${this.streamLabel(request)} rejected: ${reason}`,
    );
    refuseStream(this.connection, this.requestStreamId, request.action, refusal);
    this.endSocket();
  }

  private onPlay(message: RtmpMessage, command: RtmpCommand, play: PlayCommand): void {
    if (this.sessionState !== 'connected') throw this.unexpected(command);
    const request = this.streamRequest(message, 'play', play.streamName, 'live');
    if (request.streamName === '') {
      this.refuse(request, { accepted: false, reason: 'empty stream name' });
      return;
    }
    // Any start value is served as live (FFmpeg sends -2000 or -1000): there is no recorded
    // stream to seek in.
    this.sessionState = 'verifying';
    this.host.admission.play(request, this.applicant(request), (admission) =>
      this.onPlayAdmission(request, admission),
    );
  }

  private onPlayAdmission(request: StreamRequest, admission: PlayAdmission): void {
    if (admission.outcome === 'abandoned') return;
    try {
      if (admission.outcome === 'refused') {
        this.refuse(request, admission.refusal);
        return;
      }
      if (admission.outcome === 'not-found') {
        this.host.logger.log(
          `${this.label()} play of ${this.streamLabel(request)}: not live, not waiting`,
        );
        this.sendStatus(
          NetStatusLevel.Error,
          NetStatusCode.PlayStreamNotFound,
          'Stream not found.',
        );
        this.endSocket();
        return;
      }
      const waits = this.host.options.playersWaitForPublisher;
      this.sessionState = 'playing';
      this.trust();
      // Not waiting for a publisher to come back: the play is over, and the player leaves the
      // registry now rather than when the socket has finished closing.
      const publisherLeft = waits
        ? undefined
        : () => {
            this.stopPlaying({ reason: 'stream-ended' });
            this.endSocket();
          };
      const { maxQueuedBytesPerConsumer } = this.host.options;
      const player = playerOn(
        this.connection,
        this.requestStreamId,
        request,
        maxQueuedBytesPerConsumer,
        publisherLeft,
      );
      this.player = player;
      announcePlay(this.connection, this.requestStreamId);
      if (this.sessionState !== 'playing') return; // closed by a send above
      this.host.logger.log(`${this.label()} playing ${this.streamLabel(request)}`);
      // From here on media: the kernel may coalesce it (see playersNoDelay); the replies above
      // went out at once.
      if (!this.host.options.playersNoDelay) this.socket.setNoDelay(false);
      admission.attach(player);
    } catch (error) {
      this.fail(asError(error));
    }
  }

  private stopPlaying(end: PlayEnd): void {
    const player = this.player;
    if (player === undefined) return;
    this.player = undefined;
    player.detach();
    this.host.removePlayer(player, end);
    if (this.sessionState !== 'playing') return;
    this.sessionState = 'connected';
    // As after an unpublish: a connection that stopped playing may play or publish again,
    // within the usual allowance, instead of staying open forever doing nothing.
    if (!this.socket.destroyed) {
      // Back to commands: replies go out at once again.
      this.socket.setNoDelay(true);
      this.awaitStreamCommand('publish or play');
    }
  }

  private onUnpublish(): void {
    if (this.sessionState !== 'publishing') return;
    this.sendStatus(NetStatusLevel.Status, NetStatusCode.UnpublishSuccess, 'Stream unpublished.');
    this.endStream({ reason: 'unpublished' });
    this.sessionState = 'connected';
    // A publisher that unpublished may publish again on this connection; the usual
    // connect-to-publish allowance applies again.
    this.awaitStreamCommand('publish');
  }

  /** Waits for a publish or play, within `connectToPublishTimeoutMs`. */
  private awaitStreamCommand(what: string): void {
    const ms = this.host.options.connectToPublishTimeoutMs;
    this.deadline.arm(ms, RtmpErrorCode.SessionPublishTimeout, what);
  }

  /** Audio or video: delivered to the live stream while publishing. */
  onMedia(message: RtmpMessage): void {
    if (this.sessionState === 'publishing') this.published?.media(message);
  }

  /** Data (metadata): delivered to the live stream while publishing. */
  onData(message: RtmpMessage): void {
    if (this.sessionState === 'publishing') this.published?.data(message);
  }

  private requireConnected(command: RtmpCommand): void {
    if (this.sessionState === 'handshake' || this.sessionState === 'connecting') {
      throw this.unexpected(command);
    }
  }

  private replyEmptyResult(command: RtmpCommand): void {
    this.requireConnected(command);
    if (command.transactionId !== 0) this.sendCommand(encodeEmptyResult(command.transactionId));
  }

  private unexpected(command: RtmpCommand): SessionError {
    return new SessionError(
      RtmpErrorCode.SessionUnexpectedCommand,
      `${command.name} is not allowed in state ${this.sessionState}`,
      { command: command.name, state: this.sessionState },
    );
  }

  private sendStatus(level: string, code: string, description: string): void {
    sendStatus(this.connection, this.requestStreamId, level, code, description);
  }

  private sendCommand(payload: Buffer): void {
    this.send(createConnectionCommandMessage(payload));
  }

  /** Every message to the peer goes through the connection: one unread bound for all. */
  private send(message: RtmpMessage): void {
    this.connection.send(message);
  }

  /** Ends the publish (if any), says so where the socket is open, and ends the socket. */
  private endGracefully(
    end: StreamEnd & { reason: 'replaced' | 'server-closed' | 'kicked' },
  ): void {
    if (this.sessionState === 'closing' || this.sessionState === 'closed') return;
    if (this.sessionState === 'publishing') {
      endPublisher(this.connection, this.requestStreamId, end);
    }
    if (this.sessionState === 'playing' && this.player !== undefined) {
      endPlayer(this.connection, this.player.streamId);
    }
    this.stopPlaying({ reason: 'server-closed' });
    this.closeReason = end.reason;
    this.endStream(end);
    this.endSocket();
  }

  /** Flushes what was written, then closes; destroys the socket if the peer lingers. */
  private endSocket(): void {
    if (this.sessionState === 'closed') return;
    this.sessionState = 'closing';
    this.deadline.clear();
    this.connection.end();
  }

  private endStream(end: StreamEnd): void {
    const stream = this.published?.stream;
    if (stream === undefined) return;
    this.published = undefined;
    this.host.releaseStream(this, stream);
    stream.end(end);
    this.host.logger.log(
      `${this.label()} ${this.streamLabel(stream.request)} ended: ${end.reason}`,
    );
  }

  onSocketError(error: Error): void {
    // ECONNRESET and friends: the close handler ends the stream as "disconnected".
    this.host.logger.debug?.(`${this.label()} socket error: ${error.message}`);
  }

  onClose(): void {
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
    this.sessionState = 'closed';
    this.host.sessionClosed(this);
  }

  private label(): string {
    return `session#${this.id} ${this.remoteAddress}:${this.remotePort}`;
  }

  private streamLabel(request: StreamRequest): string {
    return describeStream(request.app, request.streamName, this.host.options.apps);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
