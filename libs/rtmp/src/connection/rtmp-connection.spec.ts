import { once } from 'events';
import { AddressInfo, createServer, Server, Socket } from 'net';
import { encodeCreateStream } from '../protocol/command/client-command.builder';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import { HANDSHAKE_PACKET_SIZE } from '../protocol/handshake/handshake.constants';
import { ServerHandshake } from '../protocol/handshake/server-handshake';
import { createConnectionCommandMessage } from '../protocol/message/command-message.factory';
import { RtmpConnection, RtmpConnectionHandler } from './rtmp-connection';

/** C0+C1 of a plain (undigested) handshake, then C2. */
const C0_C1 = Buffer.concat([Buffer.from([3]), Buffer.alloc(HANDSHAKE_PACKET_SIZE)]);
const C2 = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
const S0_S1_S2_SIZE = 1 + 2 * HANDSHAKE_PACKET_SIZE;

function command(transactionId: number): Buffer {
  return Buffer.concat(
    new ChunkWriter().encode(createConnectionCommandMessage(encodeCreateStream(transactionId))),
  );
}

function recorder(): { events: string[]; handler: RtmpConnectionHandler } {
  const events: string[] = [];
  return {
    events,
    handler: {
      onHandshake: () => events.push('handshake'),
      onCommand: (message) => events.push(`command ${message.payload.length}`),
      onMedia: () => events.push('media'),
      onData: () => events.push('data'),
      onReadError: (error) => events.push(`read error ${error.constructor.name}`),
      onSocketError: () => events.push('socket error'),
      onClose: () => events.push('close'),
    },
  };
}

describe('RtmpConnection', () => {
  let server: Server;
  let accepted: Promise<Socket>;
  let peer: Socket;

  beforeEach(async () => {
    server = createServer();
    accepted = once(server, 'connection').then(([socket]) => socket as Socket);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    peer = new Socket();
    peer.connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(peer, 'connect');
  });

  afterEach(async () => {
    peer.destroy();
    server.close();
    await once(server, 'close');
  });

  /** The accepted socket's side, as a server session has it, recording what it is told. */
  async function serverSide(): Promise<{ events: string[]; connection: RtmpConnection }> {
    const { events, handler } = recorder();
    const handshake = new ServerHandshake();
    const connection = new RtmpConnection(await accepted, { handshake, limits: {} }, handler);
    return { events, connection };
  }

  async function readBytes(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let length = 0;
    while (length < count) {
      const [data] = (await once(peer, 'data')) as [Buffer];
      parts.push(data);
      length += data.length;
    }
    return Buffer.concat(parts);
  }

  it('answers the handshake, then reads the chunks that follow C2 in the same write', async () => {
    const { events, connection } = await serverSide();
    expect(connection.handshakeComplete).toBe(false);
    peer.write(C0_C1);
    expect((await readBytes(S0_S1_S2_SIZE)).length).toBe(S0_S1_S2_SIZE);
    const chunks = command(2);
    peer.write(Buffer.concat([C2, chunks]));
    while (events.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['handshake', `command ${encodeCreateStream(2).length}`]);
    expect(connection.handshakeComplete).toBe(true);
    expect(connection.bytesReceived).toBe(C0_C1.length + C2.length + chunks.length);
  });

  it('keeps nothing of the handshake once it is complete (its reply buffer is 3 KB)', async () => {
    const { events, connection } = await serverSide();
    const handshake = (connection as unknown as { handshake: object }).handshake;
    peer.write(C0_C1);
    await readBytes(S0_S1_S2_SIZE);
    peer.write(C2);
    while (events.length < 1) await new Promise((resolve) => setImmediate(resolve));
    // Two levels of the connection's own fields: itself, and objects it holds (its options).
    const held = Object.values(connection).flatMap((value: unknown) =>
      value !== null && typeof value === 'object' ? [value, ...Object.values(value)] : [value],
    );
    expect(held).not.toContain(handshake);
  });

  it('stops reading once it ends, and resolves whenClosed after telling the role', async () => {
    const { events, connection } = await serverSide();
    peer.write(C0_C1);
    await readBytes(S0_S1_S2_SIZE);
    connection.end();
    peer.write(Buffer.concat([C2, command(2)]));
    const ended = once(peer, 'end');
    await ended;
    peer.end();
    await connection.whenClosed();
    expect(events).toEqual(['close']);
    await expect(connection.whenClosed()).resolves.toBeUndefined();
  });

  it('hands a malformed handshake to the role as a read error', async () => {
    const { events } = await serverSide();
    peer.write(Buffer.from([42]));
    while (events.length < 1) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['read error HandshakeError']);
  });
});
