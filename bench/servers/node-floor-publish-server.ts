/*
 * The floor under any RTMP server written for Node, for scenario 2 (FFmpeg publishers): a
 * net.Server that answers the publish exchange just far enough for FFmpeg to send its media
 * (handshake, connect with the chunk size ours announces, createStream, publish →
 * Publish.Start, with this library's protocol core), then only counts the bytes it reads. No
 * parsing, no stream, no GOP cache: what it costs is what Node's sockets cost to take in the
 * same media, the part of our CPU and RSS that no code of ours can remove.
 */
import { Socket } from 'net';
import {
  ChunkReader,
  ChunkWriter,
  CommandName,
  createConnectionCommandMessage,
  createSetChunkSizeMessage,
  createStreamCommandMessage,
  decodeCommand,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeEmptyResult,
  encodeOnStatus,
  MessageType,
  NetStatusCode,
  NetStatusLevel,
  RtmpMessage,
  ServerHandshake,
} from '../../libs/rtmp/src/protocol';
import { DEFAULT_RTMP_SERVER_OPTIONS } from '../../libs/rtmp/src/server/rtmp-server.options';
import { startCountingServer } from './counting-server';

/** The message stream createStream hands out: one publish per connection. */
const PUBLISH_STREAM_ID = 1;

/** One connection: the exchange until Publish.Start, then nothing but reads. */
class FloorPublishConnection {
  private handshake: ServerHandshake | undefined = new ServerHandshake();
  private reader: ChunkReader | undefined = new ChunkReader((message) => this.onMessage(message));
  private readonly writer = new ChunkWriter();

  constructor(private readonly socket: Socket) {}

  onData(data: Buffer): void {
    if (this.reader === undefined) return;
    let chunks = data;
    if (this.handshake !== undefined) {
      const progress = this.handshake.push(data);
      if (progress.output !== undefined) this.socket.write(progress.output);
      if (!progress.complete) return;
      this.handshake = undefined;
      chunks = progress.rest;
      if (chunks.length === 0) return;
    }
    // Bytes after the publish command in this read are media: the reader is gone by then.
    this.reader.push(chunks);
  }

  private onMessage(message: RtmpMessage): void {
    if (this.reader === undefined) return;
    if (message.typeId !== MessageType.CommandAmf0) return;
    const command = decodeCommand(message.payload, message.typeId);
    switch (command.name) {
      case CommandName.Connect:
        // The chunk size ours announces: FFmpeg takes a publishing server's chunk size for its
        // own output, and without one it sends media in 128-byte chunks, several times the
        // reads (and the CPU) of what the servers get.
        this.send(createSetChunkSizeMessage(DEFAULT_RTMP_SERVER_OPTIONS.outChunkSize));
        this.writer.setChunkSize(DEFAULT_RTMP_SERVER_OPTIONS.outChunkSize);
        this.sendCommand(encodeConnectResult({ transactionId: command.transactionId }));
        return;
      case CommandName.ReleaseStream:
      case CommandName.FCPublish:
        this.sendCommand(encodeEmptyResult(command.transactionId));
        return;
      case CommandName.CreateStream:
        this.sendCommand(encodeCreateStreamResult(command.transactionId, PUBLISH_STREAM_ID));
        return;
      case CommandName.Publish:
        this.send(
          createStreamCommandMessage(
            PUBLISH_STREAM_ID,
            encodeOnStatus({
              level: NetStatusLevel.Status,
              code: NetStatusCode.PublishStart,
              description: 'Start publishing',
            }),
          ),
        );
        this.reader = undefined;
        return;
      default:
    }
  }

  private sendCommand(payload: Buffer): void {
    this.send(createConnectionCommandMessage(payload));
  }

  private send(message: RtmpMessage): void {
    this.socket.cork();
    for (const part of this.writer.encode(message)) this.socket.write(part);
    this.socket.uncork();
  }
}

startCountingServer((socket) => {
  const connection = new FloorPublishConnection(socket);
  socket.on('data', (data: Buffer) => {
    try {
      connection.onData(data);
    } catch {
      socket.destroy();
    }
  });
});
