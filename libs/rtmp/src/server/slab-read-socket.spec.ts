import { once } from 'events';
import { AddressInfo, connect, createServer, Server, Socket } from 'net';
import { adoptWithSlabReads } from './slab-read-socket';

/** A pauseOnConnect server that adopts each connection; resolves with the first one. */
async function listenAndAdopt(
  sink: (socket: Socket, data: Buffer) => void,
): Promise<{ server: Server; client: Socket; adopted: Socket; husk: Socket }> {
  const server = createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [husk] = await accepted;
  const adopted = adoptWithSlabReads(husk, sink, 64 * 1024);
  if (adopted === undefined) throw new Error('this Node cannot adopt server sockets');
  return { server, client, adopted, husk };
}

describe('adoptWithSlabReads', () => {
  it('delivers what the peer sends, in order, as views of shared slabs', async () => {
    const reads: Buffer[] = [];
    const { server, client, adopted } = await listenAndAdopt((_socket, data) => reads.push(data));
    const sent = Array.from({ length: 20 }, (_, i) => Buffer.alloc(300 + i, i));
    for (const part of sent) {
      const received = reads.length;
      client.write(part);
      // One write at a time, so that each arrives as its own read.
      while (reads.length === received) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(Buffer.concat(reads).equals(Buffer.concat(sent))).toBe(true);
    // Several reads share one slab (one ArrayBuffer), and each view still holds its bytes.
    expect(new Set(reads.map((read) => read.buffer)).size).toBeLessThan(reads.length);
    client.destroy();
    await once(adopted, 'close');
    server.close();
  });

  it('writes, reports the peer address, and closes when the peer ends', async () => {
    const { server, client, adopted, husk } = await listenAndAdopt(() => undefined);
    expect(husk.destroyed).toBe(true);
    expect(adopted.remoteAddress).toBe('127.0.0.1');
    expect(adopted.remotePort).toBe(client.localPort);
    const answered = once(client, 'data') as Promise<[Buffer]>;
    adopted.write('pong');
    expect((await answered)[0].toString()).toBe('pong');
    const closed = once(adopted, 'close');
    client.end();
    await closed;
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves a socket without a usable handle alone', () => {
    const socket = new Socket();
    expect(adoptWithSlabReads(socket, () => undefined, 64 * 1024)).toBeUndefined();
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});
