import { EventEmitter } from 'events';
import { Socket } from 'net';
import { ClientHandshake } from '../libs/rtmp/src/protocol/handshake';
import { LiveStream } from '../libs/rtmp/src/server/live-stream';
import { RtmpServer } from '../libs/rtmp/src/server/rtmp-server';
import { StreamVerdicts } from '../libs/rtmp/src/server/stream-request';
import { cpuOf, measureRounds, socketReads } from './support/in-process';
import { CapturedSession } from './support/replay';

export interface SessionPathResult {
  readonly chunkSize: number;
  readonly mediaBytes: number;
  /** Media bytes per CPU second of this process. */
  readonly mbPerCpuSecond: number;
  readonly rounds: number;
  /** Audio, video and data messages the stream delivered in the last round. */
  readonly packets: number;
}

/**
 * Just enough of a net.Socket for RtmpSession, in memory: what the session writes goes to
 * `onWrite`, and the bench emits 'data' itself.
 */
class StandInSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40000;
  readonly writableLength = 0;
  destroyed = false;
  writable = true;
  onWrite: (data: Buffer) => void = () => undefined;

  setNoDelay(): this {
    return this;
  }

  write(data: Buffer): boolean {
    this.onWrite(data);
    return true;
  }

  cork(): void {}

  uncork(): void {}

  end(): this {
    return this.destroy();
  }

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.writable = false;
      queueMicrotask(() => this.emit('close'));
    }
    return this;
  }
}

/**
 * Section 4, session path: a recorded FFmpeg publish fed to a real RtmpServer's session through
 * a stand-in socket, in this process, cut into 64 KiB reads: the library's whole per-byte path
 * (chunk reader, session, FLV tag parsing, LiveStream with its GOP cache, one listener counting
 * packets) without the kernel and Node's socket layer. MB/s per CPU second, measured over at
 * least 2 s after a warm-up round.
 */
export async function benchSessionPath(session: CapturedSession): Promise<SessionPathResult> {
  const silent = (): void => undefined;
  const server = new RtmpServer(
    { port: 0, host: '127.0.0.1' },
    {
      verifyRequest: () => StreamVerdicts.accept(),
      logger: { log: silent, warn: silent, error: silent },
    },
  );
  const media = session.bytes.subarray(session.publishEnd);
  const reads = socketReads(media);
  let packets = 0;

  /** Connects, publishes, and returns the socket once the stream has started. */
  const connect = async (): Promise<StandInSocket> => {
    const socket = new StandInSocket();
    const handshake = new ClientHandshake();
    let c2: Buffer | undefined;
    socket.onWrite = (data) => {
      if (!handshake.complete) c2 = handshake.push(data).output ?? c2;
    };
    const started = new Promise<LiveStream>((resolve) => {
      const stop = server.onStreamStart((stream) => {
        stop();
        resolve(stream);
      });
    });
    (server as unknown as { accept(socket: Socket): void }).accept(socket as unknown as Socket);
    socket.emit('data', handshake.start());
    socket.emit('data', c2 as Buffer);
    socket.onWrite = () => undefined;
    socket.emit('data', session.bytes.subarray(0, session.publishEnd));
    const stream = await started;
    stream.onPacket(() => (packets += 1));
    return socket;
  };

  const round = async (): Promise<number> => {
    const socket = await connect();
    packets = 0;
    const seconds = cpuOf(() => {
      for (const read of reads) socket.emit('data', read);
    });
    socket.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    return seconds;
  };

  const { seconds, rounds } = await measureRounds(round);
  await server.close();
  return {
    chunkSize: session.chunkSize,
    mediaBytes: media.length,
    mbPerCpuSecond: (media.length * rounds) / 1e6 / seconds,
    rounds,
    packets,
  };
}
