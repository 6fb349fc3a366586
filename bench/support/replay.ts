import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { connect, Socket } from 'net';
import { basename, join } from 'path';
import { ChunkReader } from '../../libs/rtmp/src/protocol/chunk';
import {
  CommandName,
  decodeCommand,
  parseStatusCommand,
} from '../../libs/rtmp/src/protocol/command';
import { MessageType } from '../../libs/rtmp/src/protocol/message';
import { startCaptureListener } from '../../test/support/capture-listener';
import { publish } from './media';
import { openExchange } from './raw-client';
import { WORK_DIR } from './servers';

/** A recorded FFmpeg publish: every byte FFmpeg sent after the handshake. */
export interface CapturedSession {
  readonly chunkSize: number;
  readonly bytes: Buffer;
  /** Where the message carrying `publish` ends: what comes after is media (and the unpublish). */
  readonly publishEnd: number;
}

/** What the replayer hands to socket.write at a time (views of the capture, no copies). */
const WRITE_SLICE = 1024 * 1024;

/**
 * FFmpeg's publish of `clip`, recorded by the capture listener of the interop tests (a test
 * tool built from the protocol core that answers like a server and keeps every byte). At 4096
 * the listener announces SetChunkSize 4096 and FFmpeg answers with its own and writes at 4096;
 * at 128 it announces nothing. Recorded once and cached in .bench-work/replay.
 */
export async function capturedSession(
  clip: string,
  chunkSize: 128 | 4096,
): Promise<CapturedSession> {
  const path = join(WORK_DIR, 'replay', `${basename(clip, '.flv')}.publish-${chunkSize}.bin`);
  if (!existsSync(path)) {
    mkdirSync(join(WORK_DIR, 'replay'), { recursive: true });
    const listener = await startCaptureListener(chunkSize === 128 ? {} : { chunkSize });
    try {
      const url = `rtmp://127.0.0.1:${listener.port}/live/capture`;
      const result = await publish(clip, url, { realtime: false });
      if (result.code !== 0)
        throw new Error(`ffmpeg failed to publish to the capture listener: ${result.stderr}`);
      const bytes = await listener.captured;
      writeFileSync(`${path}.partial`, bytes);
      renameSync(`${path}.partial`, path);
    } finally {
      await listener.stop();
    }
  }
  const bytes = readFileSync(path);
  return { chunkSize, bytes, publishEnd: findPublishEnd(bytes) };
}

/** Feeds the session's start byte by byte until the `publish` command comes out. */
function findPublishEnd(bytes: Buffer): number {
  let position = 0;
  let end = -1;
  const reader = new ChunkReader((message) => {
    if (end >= 0 || message.typeId !== MessageType.CommandAmf0) return;
    if (decodeCommand(message.payload).name === CommandName.Publish) end = position;
  });
  const limit = Math.min(bytes.length, 64 * 1024);
  while (end < 0 && position < limit) {
    position += 1;
    reader.push(bytes.subarray(position - 1, position));
  }
  if (end < 0) throw new Error('no publish command in the first 64 KiB of the capture');
  return end;
}

export interface ReplayResult {
  /** Bytes written after NetStream.Publish.Start. */
  readonly mediaBytes: number;
  /** From the first of them to the server closing the connection after reading them all. */
  readonly seconds: number;
}

/**
 * Replays a captured publish against a server as fast as it takes it: the client handshake
 * (C0C1, S0S1S2, C2), the session up to and including `publish`, then, once the server has
 * answered NetStream.Publish.Start, everything else in 1 MiB writes, waiting for 'drain'
 * whenever the socket's buffer is full. Then it half-closes and waits for the server to close:
 * the server has read every byte by then.
 */
export async function replayPublish(
  port: number,
  session: CapturedSession,
  timeoutMs: number,
  options: { raw?: boolean } = {},
): Promise<ReplayResult> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const timer = setTimeout(
    () => socket.destroy(new Error(`replay did not finish in ${timeoutMs} ms`)),
    timeoutMs,
  );
  let failure: Error | undefined;
  socket.on('error', (error) => (failure = error));
  try {
    const { bytes } = session;
    if (options.raw === true) {
      // For a server that speaks no RTMP (the Node floor): the same bytes, without the talk.
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
    } else {
      await waitForPublishStart(socket, session);
    }
    const first = options.raw === true ? 0 : session.publishEnd;
    const started = performance.now();
    for (let offset = first; offset < bytes.length; offset += WRITE_SLICE) {
      if (socket.destroyed) break;
      const more = socket.write(
        bytes.subarray(offset, Math.min(bytes.length, offset + WRITE_SLICE)),
      );
      if (!more) await drainedOrClosed(socket);
    }
    socket.end();
    await closed;
    const seconds = (performance.now() - started) / 1000;
    if (failure !== undefined) throw failure;
    if (socket.bytesWritten < bytes.length) {
      throw new Error(`the server closed after ${socket.bytesWritten} of ${bytes.length} bytes`);
    }
    return { mediaBytes: bytes.length - first, seconds };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Handshake, the session's commands, and the server's NetStream.Publish.Start. */
function waitForPublishStart(socket: Socket, session: CapturedSession): Promise<void> {
  return openExchange(
    socket,
    () => session.bytes.subarray(0, session.publishEnd),
    (command) => {
      if (command.name !== CommandName.OnStatus) return false;
      const { status } = parseStatusCommand(command);
      if (status.level === 'error') {
        throw new Error(`publish refused: ${status.code} ${status.description ?? ''}`);
      }
      // From here on the server's few messages (acknowledgements) are read and dropped.
      return status.code === 'NetStream.Publish.Start';
    },
  );
}
