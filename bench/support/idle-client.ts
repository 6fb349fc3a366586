import { connect, Socket } from 'net';
import { ChunkReader, ChunkWriter } from '../../libs/rtmp/src/protocol/chunk';
import {
  buildConnectObject,
  decodeCommand,
  encodeConnect,
} from '../../libs/rtmp/src/protocol/command';
import { ClientHandshake } from '../../libs/rtmp/src/protocol/handshake';
import { MessageType } from '../../libs/rtmp/src/protocol/message';

const STEP_TIMEOUT_MS = 10_000;

/**
 * A connection that has done the handshake and `connect` (and received `_result`), then sits
 * there, as an encoder does between connecting and publishing. What the server sends later
 * (pings) is read and dropped.
 */
export function openIdleConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => fail(new Error('handshake and connect took over 10 s')),
      STEP_TIMEOUT_MS,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const handshake = new ClientHandshake();
    let connected = false;
    const reader = new ChunkReader((message) => {
      if (connected || message.typeId !== MessageType.CommandAmf0) return;
      const command = decodeCommand(message.payload);
      if (command.name === '_result') {
        connected = true;
        clearTimeout(timer);
        resolve(socket);
      } else if (command.name === '_error') {
        fail(new Error('connect refused'));
      }
    });
    socket.on('data', (data: Buffer) => {
      if (connected) return;
      try {
        if (!handshake.complete) {
          const progress = handshake.push(data);
          if (progress.output !== undefined) socket.write(progress.output);
          if (!progress.complete) return;
          const tcUrl = `rtmp://127.0.0.1:${port}/live`;
          const payload = encodeConnect(buildConnectObject({ app: 'live', tcUrl }));
          socket.write(
            new ChunkWriter().encodeToBuffer({
              chunkStreamId: 3,
              messageStreamId: 0,
              typeId: MessageType.CommandAmf0,
              timestamp: 0,
              payload,
            }),
          );
          if (progress.rest.length > 0) reader.push(progress.rest);
        } else {
          reader.push(data);
        }
      } catch (error) {
        fail(error as Error);
      }
    });
    socket.on('error', (error) => {
      if (!connected) fail(error);
    });
    socket.once('close', () => {
      if (!connected) fail(new Error('closed before the connect result'));
    });
    socket.write(handshake.start());
  });
}

/** Opens `count` idle connections, `parallel` at a time. */
export async function openIdleConnections(
  port: number,
  count: number,
  parallel: number,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      sockets.push(await openIdleConnection(port));
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    throw error;
  }
  return sockets;
}
