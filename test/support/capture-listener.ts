import { AddressInfo, createServer, Socket } from 'net';
import {
  ChunkReader,
  ChunkStreamId,
  ChunkWriter,
  CommandName,
  createSetChunkSizeMessage,
  createSetPeerBandwidthMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
  decodeCommand,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeEmptyResult,
  encodeOnStatus,
  MessageType,
  NetStatusCode,
  NetStatusLevel,
  parseConnectCommand,
  PeerBandwidthLimit,
  RtmpMessage,
  ServerHandshake,
} from '../../libs/rtmp/src/protocol';

/** What the capture listener tells the publisher during the session. */
export interface CaptureListenerOptions {
  /**
   * Sent as SetChunkSize just before the connect result, and used for everything after it.
   * Leave it out to keep 128 both ways (no SetChunkSize is sent).
   */
  readonly chunkSize?: number;
}

/** A capture listener that is listening; see {@link startCaptureListener}. */
export interface CaptureListener {
  /** The port on 127.0.0.1 it listens on (picked by the system). */
  readonly port: number;
  /**
   * Every byte the first client sent after C0+C1+C2, in order, once that client has closed the
   * connection. Rejects if the client broke the protocol or `stop()` came before any client.
   */
  readonly captured: Promise<Buffer>;
  /** Closes the listener and any connection still open. */
  stop(): Promise<void>;
}

const WINDOW_ACK_SIZE = 2_500_000;
/** createStream's answer; nginx and this library's server also hand out 1 first. */
const PUBLISH_STREAM_ID = 1;

/**
 * A test tool, NOT the server: the smallest RTMP peer that gets a publisher (FFmpeg) from
 * handshake to media, built from the protocol core, so interop tests and fixture scripts can
 * record what the publisher really sends. It serves one connection, says yes to everything,
 * checks nothing beyond what it needs to answer, and keeps every byte in memory.
 *
 * The bytes go through a ChunkReader only to find the commands to answer: what is recorded is
 * the raw stream, exactly as it came off the socket.
 */
export async function startCaptureListener(
  options: CaptureListenerOptions = {},
): Promise<CaptureListener> {
  const sockets = new Set<Socket>();
  let settle: { resolve(bytes: Buffer): void; reject(error: Error): void } | undefined;
  const captured = new Promise<Buffer>((resolve, reject) => (settle = { resolve, reject }));
  // The test awaits `captured` only after the publisher exits; don't report a rejection early.
  captured.catch(() => undefined);
  let served = false;

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (served) {
      socket.destroy();
      return;
    }
    served = true;
    const session = new CaptureSession(socket, options);
    socket.on('data', (data) => session.receive(data));
    socket.on('error', (error) => settle?.reject(error));
    socket.on('close', () => {
      if (session.failure !== undefined) settle?.reject(session.failure);
      else settle?.resolve(session.recorded());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    captured,
    stop: () =>
      new Promise<void>((resolve) => {
        settle?.reject(new Error('capture listener stopped before a client finished'));
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One publisher's connection: handshake, then answers to its commands, and the recording. */
class CaptureSession {
  private readonly handshake = new ServerHandshake();
  private readonly reader = new ChunkReader((message) => this.answer(message));
  private readonly writer = new ChunkWriter();
  private readonly pieces: Buffer[] = [];
  failure: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: CaptureListenerOptions,
  ) {}

  receive(data: Buffer): void {
    if (this.failure !== undefined) return;
    try {
      let rest = data;
      if (!this.handshake.complete) {
        const progress = this.handshake.push(data);
        if (progress.output !== undefined) this.socket.write(progress.output);
        if (!progress.complete) return;
        rest = progress.rest;
      }
      if (rest.length === 0) return;
      // The socket may reuse its buffer: the recording keeps its own copy.
      this.pieces.push(Buffer.from(rest));
      this.reader.push(rest);
    } catch (error) {
      this.failure = error as Error;
      this.socket.destroy();
    }
  }

  recorded(): Buffer {
    return Buffer.concat(this.pieces);
  }

  private answer(message: RtmpMessage): void {
    if (message.typeId !== MessageType.CommandAmf0) return;
    const command = decodeCommand(message.payload);
    const txn = command.transactionId;
    switch (command.name) {
      case CommandName.Connect:
        this.acceptConnect(parseConnectCommand(command).objectEncoding, txn);
        break;
      case CommandName.ReleaseStream:
      case CommandName.FCPublish:
        this.sendCommand(0, encodeEmptyResult(txn));
        break;
      case CommandName.CreateStream:
        this.sendCommand(0, encodeCreateStreamResult(txn, PUBLISH_STREAM_ID));
        break;
      case CommandName.Publish:
        // FFmpeg's open call returns (and media starts) only once this arrives (notes K3.4).
        this.sendCommand(
          message.messageStreamId,
          encodeOnStatus({
            level: NetStatusLevel.Status,
            code: NetStatusCode.PublishStart,
            description: 'capture listener: publishing',
          }),
          ChunkStreamId.Status,
        );
        break;
      default:
        // FCUnpublish, deleteStream, _checkbw...: the publisher needs no answer.
        break;
    }
  }

  /** The reply sequence of notes K3.1, with the optional SetChunkSize before the result. */
  private acceptConnect(objectEncoding: number, txn: number): void {
    const parts: Buffer[] = [];
    this.writer.write(createWindowAcknowledgementSizeMessage(WINDOW_ACK_SIZE), parts);
    this.writer.write(
      createSetPeerBandwidthMessage({
        windowSize: WINDOW_ACK_SIZE,
        limitType: PeerBandwidthLimit.Dynamic,
      }),
      parts,
    );
    this.writer.write(createUserControlMessage({ kind: 'streamBegin', streamId: 0 }), parts);
    if (this.options.chunkSize !== undefined) {
      this.writer.write(createSetChunkSizeMessage(this.options.chunkSize), parts);
      this.writer.setChunkSize(this.options.chunkSize);
    }
    this.socket.write(Buffer.concat(parts));
    this.sendCommand(0, encodeConnectResult({ transactionId: txn, objectEncoding }));
  }

  private sendCommand(
    messageStreamId: number,
    payload: Buffer,
    chunkStreamId: number = ChunkStreamId.Command,
  ): void {
    const message: RtmpMessage = {
      chunkStreamId,
      messageStreamId,
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      payload,
    };
    this.socket.write(this.writer.encodeToBuffer(message));
  }
}
