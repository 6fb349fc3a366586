/*
 * This library's RtmpServer as a deployment would run it, for the hostile-traffic benchmark: every
 * limit on its default, and a verifier that accepts only keys starting with "bench-" (the
 * attackers present none, so they meet the limits a keyless peer meets). No consumer: the
 * attacks never publish.
 *
 *   node .bench-work/build/bench/servers/nestjs-rtmp-defaults-server.js
 *   (compiled by the bench, see compileServers)
 */
import { RtmpServer } from '../../libs/rtmp/src/server/rtmp-server';
import { StreamVerdicts } from '../../libs/rtmp/src/server/stream-request';
import { announceOnceListening, memoryCounters, serveParent } from './ipc';

const silent = (): void => undefined;
const toStderr = (message: string): void => void process.stderr.write(`${message}\n`);
const server = new RtmpServer(
  { port: 0, host: '127.0.0.1' },
  {
    verifyRequest: (request) =>
      request.streamName.startsWith('bench-')
        ? StreamVerdicts.accept()
        : StreamVerdicts.reject('Unknown stream key.'),
    // Warnings and errors go to stderr, as nginx's do in the bench (`error_log stderr warn`):
    // what the server logs about the attacks is part of what they cost it.
    logger: { log: silent, warn: toStderr, error: toStderr },
  },
);

serveParent({
  counters: () => ({
    // Not counted: the scenario reads what the attackers sent on their side.
    bytesIn: 0,
    connections: server.connectionCount,
    streams: [],
    ...memoryCounters(),
  }),
  stop: () => server.close(),
});

announceOnceListening(server.listen(), 'this repository');
