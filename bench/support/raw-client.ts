import { Socket } from 'net';
import { ChunkReader } from '../../libs/rtmp/src/protocol/chunk';
import { decodeCommand, RtmpCommand } from '../../libs/rtmp/src/protocol/command';
import { ClientHandshake } from '../../libs/rtmp/src/protocol/handshake';
import { MessageType } from '../../libs/rtmp/src/protocol/message';

/**
 * The client side of an RTMP connection at its barest, on the protocol core, for the idle
 * connections and the replayer: the handshake, then `opening` (chunks, written as they are),
 * then each command the server sends to `onCommand` until it says the exchange is done (or
 * throws: refused). Whatever the server sends after that is read and dropped. Rejects if the
 * socket closes first.
 */
export function openExchange(
  socket: Socket,
  opening: () => Buffer,
  onCommand: (command: RtmpCommand) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const handshake = new ClientHandshake();
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      if (error === undefined) resolve();
      else reject(error);
    };
    const reader = new ChunkReader((message) => {
      if (done || message.typeId !== MessageType.CommandAmf0) return;
      if (onCommand(decodeCommand(message.payload))) finish();
    });
    socket.on('data', (data: Buffer) => {
      if (done) return;
      try {
        if (handshake.complete) {
          reader.push(data);
          return;
        }
        const progress = handshake.push(data);
        if (progress.output !== undefined) socket.write(progress.output);
        if (!progress.complete) return;
        socket.write(opening());
        if (progress.rest.length > 0) reader.push(progress.rest);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('closed before the exchange was done')));
    socket.write(handshake.start());
  });
}
