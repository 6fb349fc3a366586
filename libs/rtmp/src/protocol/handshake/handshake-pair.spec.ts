import { ClientHandshake, ClientHandshakeOptions } from './client-handshake';
import { ServerHandshake, ServerHandshakeOptions } from './server-handshake';
import { DigestScheme, HandshakeMode } from './handshake.types';
import { seededFill } from './testing/seeded-random';

/**
 * Runs a client against a server the way two sockets would, with each side's first chunk bytes
 * appended to its last handshake write, and returns what each side saw.
 */
function talk(clientOptions: ClientHandshakeOptions, serverOptions: ServerHandshakeOptions) {
  const client = new ClientHandshake({ randomFill: seededFill(10), ...clientOptions });
  const server = new ServerHandshake({ randomFill: seededFill(20), ...serverOptions });
  const fromClient = Buffer.from('c1c1c1', 'hex');
  const fromServer = Buffer.from('5e5e', 'hex');

  const serverFirst = server.push(client.start());
  expect(serverFirst.complete).toBe(false);
  const clientSide = client.push(Buffer.concat([serverFirst.output!, fromServer]));
  expect(clientSide.complete).toBe(true);
  const serverSide = server.push(Buffer.concat([clientSide.output!, fromClient]));
  expect(serverSide.complete).toBe(true);
  expect(serverSide.output).toBeUndefined();

  return {
    client,
    server,
    clientRest: clientSide.rest.toString('hex'),
    serverRest: serverSide.rest.toString('hex'),
  };
}

describe('ClientHandshake talking to ServerHandshake', () => {
  interface PairCase {
    name: string;
    client: ClientHandshakeOptions;
    server: ServerHandshakeOptions;
    mode: HandshakeMode;
    scheme: DigestScheme | undefined;
  }

  it.each<PairCase>([
    { name: 'simple client', client: {}, server: {}, mode: 'simple', scheme: undefined },
    {
      name: 'digest client (base 8)',
      client: { digest: true },
      server: {},
      mode: 'digest',
      scheme: 'base8',
    },
    {
      name: 'digest client (base 772)',
      client: { digest: true, digestScheme: 'base772' },
      server: {},
      mode: 'digest',
      scheme: 'base772',
    },
    {
      name: 'digest client, server with digest off',
      client: { digest: true },
      server: { digest: false },
      mode: 'simple',
      scheme: undefined,
    },
    {
      name: 'strict digest client',
      client: { digest: true, strict: true },
      server: {},
      mode: 'digest',
      scheme: 'base8',
    },
    {
      name: 'strict simple client',
      client: { strict: true },
      server: {},
      mode: 'simple',
      scheme: undefined,
    },
  ])('$name: both sides complete in $mode mode, verified, keeping the chunk bytes', (pair) => {
    const { client, server, clientRest, serverRest } = talk(pair.client, pair.server);
    expect(client.mode).toBe(pair.mode);
    expect(server.mode).toBe(pair.mode);
    expect(server.digestScheme).toBe(pair.scheme);
    expect(client.serverVerified).toBe(true);
    expect(clientRest).toBe('5e5e');
    expect(serverRest).toBe('c1c1c1');
  });

  it('completes with real randomness too', () => {
    const client = new ClientHandshake({ digest: true });
    const server = new ServerHandshake();
    const reply = server.push(client.start()).output!;
    const c2 = client.push(reply).output!;
    expect(server.push(c2).complete).toBe(true);
    expect(client.serverVerified).toBe(true);
    expect(client.mode).toBe('digest');
  });
});
