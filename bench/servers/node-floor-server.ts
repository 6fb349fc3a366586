/*
 * The floor under any RTMP server written for Node: a net.Server that reads what it is sent and
 * counts the bytes, nothing else. It speaks no RTMP, so it only serves the replay scenario,
 * where the replayer sends it the recorded session raw (no handshake, no waiting for
 * Publish.Start): what it costs is what Node's sockets cost, before any parsing.
 */
import { startCountingServer } from './counting-server';

startCountingServer((socket) => {
  socket.on('data', () => undefined);
});
