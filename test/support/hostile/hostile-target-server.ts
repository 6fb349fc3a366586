/*
 * The server the hostile-peer suite attacks, in a process of its own so that its CPU and memory
 * can be read from /proc apart from the attackers': this library's RtmpServer on its defaults,
 * a verifier that accepts only keys starting with "healthy-" (attackers present none) and
 * answers keys starting with "slow-" only after half a second, and every accepted stream
 * recorded to an FLV file.
 *
 *   node -r ts-node/register/transpile-only hostile-target-server.ts <record dir> ['{options}']
 *
 * Prints "listening <port>" once ready, "recorded <name> <path>" when a recording is closed,
 * "decision <accepted> <abandoned>" for every verdict, and every log line as "<level> <text>".
 */
import { join } from 'path';
import { FlvStreamRecorder } from '../../../libs/rtmp/src/server/flv-stream-recorder';
import { RtmpServer } from '../../../libs/rtmp/src/server/rtmp-server';
import { StreamVerdicts } from '../../../libs/rtmp/src/server/stream-request';

const [recordDir, optionsJson] = process.argv.slice(2);
/** How long the verifier takes over a "slow-" key: long enough for its client to leave first. */
const SLOW_VERDICT_MS = 500;
const print = (line: string): boolean => process.stdout.write(`${line}\n`);

const server = new RtmpServer(
  { port: 0, host: '127.0.0.1', ...(JSON.parse(optionsJson ?? '{}') as object) },
  {
    verifyRequest: async (request) => {
      if (request.streamName.startsWith('slow-')) {
        await new Promise((resolve) => setTimeout(resolve, SLOW_VERDICT_MS));
      }
      return request.streamName.startsWith('healthy-')
        ? StreamVerdicts.accept()
        : StreamVerdicts.reject('Unknown stream key.');
    },
    logger: {
      log: (text) => print(`log ${text}`),
      warn: (text) => print(`warn ${text}`),
      error: (text) => print(`error ${text}`),
    },
  },
);

server.onRequestDecision(({ verdict, abandoned }) =>
  print(`decision ${verdict.accepted} ${abandoned}`),
);
server.onStreamStart((stream) => {
  const recorder = new FlvStreamRecorder(stream, join(recordDir, `${stream.name}.flv`));
  void recorder.finished.then((summary) => print(`recorded ${stream.name} ${summary.path}`));
});

void server.listen().then((address) => print(`listening ${address.port}`));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
