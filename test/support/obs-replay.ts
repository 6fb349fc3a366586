import { readFileSync } from 'fs';
import { connect, Socket } from 'net';
import { join } from 'path';
import { ChunkReader } from '../../libs/rtmp/src/protocol/chunk';
import { decodeCommand } from '../../libs/rtmp/src/protocol/command';

const HANDSHAKE_C0_C1 = 1537;
const HANDSHAKE_S0_S1_S2 = 3073;
const HANDSHAKE_C2 = 1536;

export function loadObsCapture(): { session: Buffer; tail: Buffer } {
  return {
    session: readFileSync(join(__dirname, '..', 'fixtures', 'obs-publish-capture.bin')),
    tail: readFileSync(join(__dirname, '..', 'fixtures', 'obs-publish-tail.bin')),
  };
}

/** Offset in the capture just past the `publish` command: OBS waits for Publish.Start there. */
function endOfPublishCommand(session: Buffer): number {
  const chunks = session.subarray(HANDSHAKE_C0_C1 + HANDSHAKE_C2);
  let end = -1;
  let consumed = 0;
  const reader = new ChunkReader((message) => {
    if (end < 0 && message.typeId === 20 && decodeCommand(message.payload).name === 'publish') {
      end = consumed;
    }
  });
  // Feed byte by byte so `consumed` is exact when the publish message completes.
  for (; consumed < chunks.length && end < 0;) {
    consumed += 1;
    reader.push(chunks.subarray(consumed - 1, consumed));
  }
  if (end < 0) throw new Error('no publish command in the capture');
  return HANDSHAKE_C0_C1 + HANDSHAKE_C2 + end;
}

/**
 * Replays OBS's captured publish against a server the way OBS behaved: C0+C1, then C2 once
 * S0+S1+S2 are in, the commands up to publish, then (after Publish.Start arrives) the media,
 * then the tail (FCUnpublish, deleteStream) and a close. Resolves with what the server sent.
 */
export function replayObsPublish(port: number): Promise<Buffer> {
  const { session, tail } = loadObsCapture();
  const mediaStart = endOfPublishCommand(session);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let stage: 'handshake' | 'publish' | 'media' = 'handshake';
    socket.on('error', reject);
    socket.on('connect', () => socket.write(session.subarray(0, HANDSHAKE_C0_C1)));
    socket.on('data', (data: Buffer) => {
      received.push(data);
      receivedBytes += data.length;
      if (stage === 'handshake' && receivedBytes >= HANDSHAKE_S0_S1_S2) {
        stage = 'publish';
        socket.write(session.subarray(HANDSHAKE_C0_C1, mediaStart));
      }
      if (stage === 'publish' && Buffer.concat(received).includes('NetStream.Publish.Start')) {
        stage = 'media';
        socket.write(session.subarray(mediaStart));
        socket.end(tail);
      }
    });
    socket.on('close', () => resolve(Buffer.concat(received)));
  });
}
