import { connect, Socket } from 'net';
import { ChunkWriter } from '../../libs/rtmp/src/protocol/chunk';
import { buildConnectObject, encodeConnect } from '../../libs/rtmp/src/protocol/command';
import { MessageType } from '../../libs/rtmp/src/protocol/message';
import { openExchange } from './raw-client';

const STEP_TIMEOUT_MS = 10_000;

/**
 * A connection that has done the handshake and `connect` (and received `_result`), then sits
 * there, as an encoder does between connecting and publishing. What the server sends later
 * (pings) is read and dropped.
 */
async function openIdleConnection(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const timer = setTimeout(
    () => socket.destroy(new Error('handshake and connect took over 10 s')),
    STEP_TIMEOUT_MS,
  );
  const connectCommand = (): Buffer =>
    new ChunkWriter().encodeToBuffer({
      chunkStreamId: 3,
      messageStreamId: 0,
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      payload: encodeConnect(
        buildConnectObject({ app: 'live', tcUrl: `rtmp://127.0.0.1:${port}/live` }),
      ),
    });
  try {
    await openExchange(socket, connectCommand, (command) => {
      if (command.name === '_error') throw new Error('connect refused');
      return command.name === '_result';
    });
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
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
