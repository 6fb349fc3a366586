/*
 * What the two Node floors share: a net.Server on loopback whose only bookkeeping is the bytes
 * its sockets read, serving the bench's requests over IPC.
 */
import { createServer, Socket } from 'net';
import { announceReady, countSocketReads, memoryCounters, serveParent } from './ipc';

/** Starts the server; `onConnection` adds what a connection needs beyond the byte count. */
export function startCountingServer(onConnection: (socket: Socket) => void): void {
  const reads = countSocketReads();
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    onConnection(socket);
  });

  serveParent({
    counters: () => ({
      bytesIn: reads.bytesIn(),
      connections: reads.open(),
      streams: [],
      ...memoryCounters(),
    }),
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
