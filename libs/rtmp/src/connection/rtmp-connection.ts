import { Socket } from 'net';
import { ChunkMemoryBudget } from '../protocol/chunk/chunk-memory-budget';
import { ChunkReader, ChunkReaderLimits, ChunkReaderPolicy } from '../protocol/chunk/chunk-reader';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import { HandshakeProgress } from '../protocol/handshake/handshake.types';
import { forEachAggregateSubMessage } from '../protocol/message/aggregate.codec';
import { decodeControlMessage } from '../protocol/message/control-message.decoder';
import {
  createAcknowledgementMessage,
  createSetChunkSizeMessage,
  createUserControlMessage,
} from '../protocol/message/control-message.factory';
import { MessageType } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { UserControlEvent } from '../protocol/message/user-control-event';

/** How long a closing socket may take to flush and close before it is destroyed. */
export const CLOSE_GRACE_MS = 2_000;

/**
 * Message types taken out of an aggregate; the rest are ignored. Aggregates carry media and data
 * only (nginx maps them to audio and video): a nested aggregate would recurse once per level,
 * and a few bytes per level are enough to overflow the stack; a command has no business in one.
 */
const AGGREGATE_SUB_MESSAGE_TYPES: ReadonlySet<number> = new Set([
  MessageType.Audio,
  MessageType.Video,
  MessageType.DataAmf0,
  MessageType.DataAmf3,
]);

/** Either role's side of the handshake (ServerHandshake, ClientHandshake). */
export interface HandshakeSide {
  push(bytes: Buffer): HandshakeProgress;
}

/** What the role on top (server session, client) is told. */
export interface RtmpConnectionHandler {
  /** The handshake is complete; the bytes after it are read as chunks right after this. */
  onHandshake?(): void;
  /** An AMF0 or AMF3 command message. */
  onCommand(message: RtmpMessage): void;
  /** An audio or video message (those an aggregate carries arrive one by one). */
  onMedia(message: RtmpMessage): void;
  /** An AMF0 or AMF3 data message (metadata and the like; from aggregates too). */
  onData(message: RtmpMessage): void;
  /** User control events other than ping requests (StreamBegin, StreamEOF...). */
  onUserControl?(event: UserControlEvent): void;
  /**
   * The peer has left more than `unreadAllowance` bytes unread: whatever it provokes next
   * would stay in memory. The role closes the connection with its own typed error.
   */
  onPeerNotReading?(unreadBytes: number): void;
  /**
   * What arrived could not be read (the handshake's or the chunk reader's typed error), or the
   * role threw acting on it: the role closes the connection.
   */
  onReadError(error: Error): void;
  /** The socket failed (a reset, a refused connect...); `onClose` follows. */
  onSocketError(error: Error): void;
  /** The socket closed; the connection has given back what it held. */
  onClose(): void;
}

/** Where a socket's shared listeners find their connection. */
const kConnection = Symbol('rtmpConnection');

interface ConnectionSocket extends Socket {
  [kConnection]: RtmpConnection;
}

export interface RtmpConnectionOptions {
  /** The role's handshake, fed what arrives first; dropped once complete. */
  readonly handshake: HandshakeSide;
  /** The chunk reader's limits (they may be tightened and relaxed with `reconfigure`). */
  readonly limits: Partial<ChunkReaderLimits>;
  readonly memoryBudget?: ChunkMemoryBudget;
  readonly readerPolicy?: ChunkReaderPolicy;
  /** Bytes the peer may leave unread in the socket, read at every write; default no bound. */
  readonly unreadAllowance?: () => number;
}

/**
 * The RTMP connection under both roles, as `ws` has one WebSocket for client and server: it feeds
 * the role's handshake, then reads chunks into messages, writes messages as chunks
 * (corked, one syscall per message), acknowledges against the window the peer announced, answers
 * pings, splits aggregates, bounds what a peer may leave unread, and closes gracefully. The
 * roles decide what commands and media mean. Its socket listeners are shared by every
 * connection, which they find through the socket (as ws does): an idle connection carries no
 * closures of its own for them.
 */
export class RtmpConnection {
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private received = 0;
  private acknowledged = 0;
  /** The window the peer announced (WindowAcknowledgementSize); 0: it asked for none. */
  private peerWindow = 0;
  private destroyTimer: NodeJS.Timeout | undefined;
  /**
   * Until complete; then dropped, so that an idle connection does not keep its buffers (the
   * options it came in are not kept either).
   */
  private handshake: HandshakeSide | undefined;
  private readonly unreadAllowance: (() => number) | undefined;
  /** Set by `end` and `release`: what arrives after is not read. */
  private ending = false;
  /** Made when first asked for (most connections are never awaited). */
  private closedPromise: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;
  private isClosed = false;

  constructor(
    private readonly socket: Socket,
    options: RtmpConnectionOptions,
    private readonly handler: RtmpConnectionHandler,
  ) {
    this.handshake = options.handshake;
    this.unreadAllowance = options.unreadAllowance;
    this.reader = new ChunkReader(
      (message) => this.dispatch(message),
      options.limits,
      options.memoryBudget,
      options.readerPolicy,
    );
    (socket as ConnectionSocket)[kConnection] = this;
    socket.on('data', RtmpConnection.socketOnData);
    socket.on('error', RtmpConnection.socketOnError);
    socket.on('close', RtmpConnection.socketOnClose);
  }

  private static socketOnData(this: ConnectionSocket, data: Buffer): void {
    const connection = this[kConnection];
    if (connection.ending) return;
    try {
      connection.receive(data);
    } catch (error) {
      connection.handler.onReadError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private static socketOnError(this: ConnectionSocket, error: Error): void {
    this[kConnection].handler.onSocketError(error);
  }

  private static socketOnClose(this: ConnectionSocket): void {
    const connection = this[kConnection];
    connection.isClosed = true;
    if (connection.destroyTimer !== undefined) clearTimeout(connection.destroyTimer);
    connection.reader.release();
    connection.handler.onClose();
    connection.resolveClosed?.();
  }

  /** Bytes received from the peer, handshake included. */
  get bytesReceived(): number {
    return this.received;
  }

  /** Bytes written to the socket but not yet sent. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  /** The outgoing chunk size. */
  get chunkSize(): number {
    return this.writer.chunkSize;
  }

  /** Bytes held in unfinished incoming messages. */
  get pendingMessageBytes(): number {
    return this.reader.pendingMessageBytes;
  }

  /** Whether the handshake is complete. */
  get handshakeComplete(): boolean {
    return this.handshake === undefined;
  }

  /** Resolves once the socket is closed. */
  whenClosed(): Promise<void> {
    this.closedPromise ??= this.isClosed
      ? Promise.resolve()
      : new Promise((resolve) => (this.resolveClosed = resolve));
    return this.closedPromise;
  }

  /** Reads what the socket delivered: handshake bytes, then chunks. */
  private receive(data: Buffer): void {
    // Acknowledgements count every byte, the handshake's too.
    this.received += data.length;
    let chunks = data;
    const handshake = this.handshake;
    if (handshake !== undefined) {
      const progress = handshake.push(data);
      if (progress.output !== undefined) this.socket.write(progress.output);
      if (!progress.complete) return;
      this.handshake = undefined;
      this.handler.onHandshake?.();
      chunks = progress.rest;
      if (chunks.length === 0) return;
    }
    this.reader.push(chunks);
    this.acknowledge();
  }

  /** New reader limits and policy (a peer that presented a key is trusted with more). */
  reconfigure(limits: Partial<ChunkReaderLimits>, policy: ChunkReaderPolicy): void {
    this.reader.reconfigure(limits, policy);
  }

  /**
   * Writes one message; false when it was not written: the socket is gone, or the peer is not
   * reading (then `onPeerNotReading` was told).
   */
  send(message: RtmpMessage): boolean {
    if (!this.canWrite()) return false;
    const parts = this.writer.encode(message);
    const { socket } = this;
    socket.cork();
    for (const part of parts) socket.write(part);
    socket.uncork();
    return true;
  }

  /** Writes a message already chunked elsewhere at this chunk size (shared by many players). */
  sendEncoded(bytes: Buffer, message: RtmpMessage): boolean {
    if (!this.canWrite()) return false;
    this.recordEncoded(message);
    this.socket.write(bytes);
    return true;
  }

  /**
   * Records that `message`, chunked elsewhere with a full header at this chunk size, is on its
   * way (written now or, merged with others, by `writeEncoded`): later headers on its chunk
   * stream are then compressed against it.
   */
  recordEncoded(message: RtmpMessage): void {
    this.writer.recordFullHeaderSent(message);
  }

  /** Writes chunked messages (see `recordEncoded`) in order, as one write. */
  writeEncoded(parts: readonly Buffer[]): boolean {
    if (!this.canWrite()) return false;
    const { socket } = this;
    socket.cork();
    for (const part of parts) socket.write(part);
    socket.uncork();
    return true;
  }

  /** Runs `write` with the socket corked: what it sends goes out as one write. */
  corked(write: () => void): void {
    this.socket.cork();
    try {
      write();
    } finally {
      this.socket.uncork();
    }
  }

  /** Sends small writes at once (true) or lets the kernel coalesce them (Nagle, false). */
  setNoDelay(noDelay: boolean): void {
    if (!this.socket.destroyed) this.socket.setNoDelay(noDelay);
  }

  /** Announces an outgoing chunk size, then sends with it. */
  setChunkSize(chunkSize: number): void {
    this.send(createSetChunkSizeMessage(chunkSize));
    this.writer.setChunkSize(chunkSize);
  }

  /** Flushes what was written, then closes; destroys the socket if the peer lingers. */
  end(): void {
    this.ending = true;
    if (this.destroyTimer !== undefined || this.socket.destroyed) return;
    this.socket.end();
    const socket = this.socket;
    this.destroyTimer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    this.destroyTimer.unref();
  }

  /** Destroys the socket at once, giving back the reader's buffers now. */
  destroy(): void {
    this.ending = true;
    this.reader.release();
    this.socket.destroy();
  }

  private canWrite(): boolean {
    const { socket } = this;
    if (socket.destroyed || !socket.writable) return false;
    const allowance = this.unreadAllowance?.();
    if (allowance === undefined || socket.writableLength <= allowance) return true;
    this.handler.onPeerNotReading?.(socket.writableLength);
    return false;
  }

  private dispatch(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.Audio:
      case MessageType.Video:
        this.handler.onMedia(message);
        return;
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        this.handler.onData(message);
        return;
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        this.handler.onCommand(message);
        return;
      case MessageType.Aggregate:
        forEachAggregateSubMessage(message, (sub) => {
          if (AGGREGATE_SUB_MESSAGE_TYPES.has(sub.typeId)) this.dispatch(sub);
        });
        return;
      case MessageType.WindowAcknowledgementSize:
      case MessageType.UserControl:
        this.onControl(message);
        return;
      // Anything else (acknowledgements, bandwidth, shared objects, type 7...) is ignored, as
      // nginx does; SetChunkSize and Abort were applied by the chunk reader.
    }
  }

  private onControl(message: RtmpMessage): void {
    const control = decodeControlMessage(message);
    if (control?.type === 'windowAcknowledgementSize') {
      // Acknowledge only peers that asked for it (OBS and FFmpeg publishers never do).
      this.peerWindow = control.windowSize;
    } else if (control?.type === 'userControl') {
      const { event } = control;
      if (event.kind === 'pingRequest') {
        this.send(createUserControlMessage({ kind: 'pingResponse', timestamp: event.timestamp }));
      } else {
        this.handler.onUserControl?.(event);
      }
    }
  }

  private acknowledge(): void {
    if (this.peerWindow === 0) return;
    if (this.received - this.acknowledged < this.peerWindow) return;
    this.acknowledged = this.received;
    // The sequence number is the byte count modulo 2^32 (the field is 32 bits).
    this.send(createAcknowledgementMessage(this.received % 0x100000000));
  }
}
