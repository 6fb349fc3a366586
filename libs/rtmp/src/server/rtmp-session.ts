import { Socket } from 'net';
import { describeError } from '../common/describe-error';
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
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { createConnectionCommandMessage } from '../protocol/message/command-message.factory';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { describeApp, maskStreamKey, redactStreamKey } from '../common/mask-stream-key';
import { StreamRequest } from './stream-request';
import { SessionError } from './session.error';
import { Applicant, PlayAdmission, PublishAdmission, Refusal } from './admission';
import { ConnectedApp } from './connected-app';
import { acceptConnect, refuseConnect, refuseStream, sendStatus } from './session-replies';
import { SessionLifecycle } from './session-lifecycle';
import { MessageStreams } from './message-streams';
import { PublishedStream } from './published-stream';
import { PlayedStream } from './played-stream';
import { ACCEPTED_READER_POLICY, SessionHost } from './session-host';

export type { SessionHost, SessionState } from './session-host';

/**
 * One client connection's commands: handshake, connect, createStream, then a publish or a
 * play put to the verifier, then media until it stops. Each state accepts only the commands
 * that make sense in it; how the session ends is SessionLifecycle's.
 */
export class RtmpSession extends SessionLifecycle {
  /** What a publish or play request needs from `connect`, once accepted. */
  private app: ConnectedApp | undefined;
  private readonly streams: MessageStreams;
  /** Commands it may still send before it is accepted; unbounded once it is. */
  private commandAllowance: number;
  /** The message stream of the latest publish or play. */
  private requestStreamId = 0;

  constructor(id: number, socket: Socket, host: SessionHost) {
    super(id, socket, host);
    this.commandAllowance = host.options.maxCommandsBeforeAccept;
    this.streams = new MessageStreams(host.options.maxStreamsPerConnection);
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
        if (streamId === this.played?.streamId) this.stopPlaying({ reason: 'stopped' });
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
      onListenerError: (error) => {
        // Published, the stream has its label (its public name, if it has one).
        const stream = this.published?.stream.label ?? this.streamLabel(request);
        this.host.logger.error(
          `${this.label()} a listener of ${stream} threw: ${describeError(error)}`,
        );
      },
      fail: (error) => this.fail(asError(error)),
    };
  }

  private onPublishAdmission(request: StreamRequest, admission: PublishAdmission): void {
    if (admission.outcome === 'abandoned') return;
    try {
      if (admission.outcome === 'refused') {
        this.refuse(request, admission.refusal, admission.publicName);
        return;
      }
      const published = new PublishedStream(
        admission.stream,
        this.requestStreamId,
        this.connection,
        this.host,
        this.label(),
      );
      this.published = published;
      this.sessionState = 'publishing';
      this.trust();
      published.start();
      // A peer that stopped reading was closed by a send above, and its stream ended.
      if (this.published !== published) return;
      this.host.logger.log(`${this.label()} publishing ${published.stream.label}`);
      admission.announce();
    } catch (error) {
      this.fail(asError(error));
    }
  }

  /** `publicName`: what the verifier named a publish refused because the name is taken. */
  private refuse(request: StreamRequest, refusal: Refusal, publicName?: string): void {
    // The reason comes from the verifier, which may have quoted the key.
    const reason = redactStreamKey(refusal.reason, request.streamName);
    const as = publicName === undefined ? '' : ` as ${publicName}`;
    this.host.logger.warn(
      `${this.label()} ${request.action} of ${this.streamLabel(request)}${as} rejected: ${reason}`,
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
        sendStatus(
          this.connection,
          this.requestStreamId,
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
      const played = new PlayedStream(
        this.connection,
        this.requestStreamId,
        request,
        this.host,
        publisherLeft,
      );
      this.played = played;
      played.announce();
      if (this.sessionState !== 'playing') return; // closed by a send above
      this.host.logger.log(
        `${this.label()} playing ${this.streamLabel(request, admission.publicName)}`,
      );
      played.startMedia(admission.attach);
    } catch (error) {
      this.fail(asError(error));
    }
  }

  private onUnpublish(): void {
    if (this.sessionState !== 'publishing') return;
    this.published?.unpublished();
    this.endStream({ reason: 'unpublished' });
    this.sessionState = 'connected';
    // A publisher that unpublished may publish again on this connection; the usual
    // connect-to-publish allowance applies again.
    this.awaitStreamCommand('publish');
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

  /** Every message to the peer goes through the connection: one unread bound for all. */
  private sendCommand(payload: Buffer): void {
    this.connection.send(createConnectionCommandMessage(payload));
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
