/*
 * What the two Node floors share: a net.Server on loopback whose only bookkeeping is the bytes
 * its sockets read, serving the bench's requests over IPC.
 */
import { createServer, Socket } from 'net';
import { announceReady, heapAndExternal, youngGeneration, serveParent } from './ipc';

/** Starts the server; `onConnection` adds what a connection needs beyond the byte count. */
export function startCountingServer(onConnection: (socket: Socket) => void): void {
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      closedBytes += socket.bytesRead;
    });
    onConnection(socket);
  });

  serveParent({
    counters: () => {
      let bytesIn = closedBytes;
      for (const socket of sockets) bytesIn += socket.bytesRead;
      return {
        bytesIn,
        connections: sockets.size,
        streams: [],
        heapAndExternal: heapAndExternal(),
        youngGeneration: youngGeneration(),
      };
    },
    forgetStreams: () => undefined,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  });

  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    announceReady(
      typeof address === 'object' && address !== null ? address.port : 0,
      process.version,
    );
  });
}
