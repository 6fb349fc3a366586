/*
 * The floor under any RTMP server written for Node: a net.Server that reads what it is sent and
 * counts the bytes, nothing else. It speaks no RTMP, so it only serves the replay scenario,
 * where the replayer sends it the recorded session raw (no handshake, no waiting for
 * Publish.Start): what it costs is what Node's sockets cost, before any parsing.
 */
import { createServer, Socket } from 'net';
import { announceReady, heapAndExternal, youngGeneration, serveParent } from './ipc';

const sockets = new Set<Socket>();
let closedBytes = 0;
const server = createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.once('close', () => {
    sockets.delete(socket);
    closedBytes += socket.bytesRead;
  });
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
