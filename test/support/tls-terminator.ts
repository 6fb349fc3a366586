import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { AddressInfo, connect, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createServer, Server, TLSSocket } from 'tls';
import { runProcess } from './child-processes';

/** A certificate and its key, PEM. */
export interface SelfSignedCertificate {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Makes a throw-away self-signed certificate for `localhost` (and 127.0.0.1) with Debian's
 * openssl, in a temporary folder that is removed again.
 */
export async function createSelfSignedCertificate(): Promise<SelfSignedCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'rtmp-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const result = await runProcess('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-days',
      '1',
    ]);
    if (result.code !== 0) throw new Error(`openssl failed: ${result.stderr}`);
    return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * TLS in front of a plain TCP server, as a load balancer terminates RTMPS in front of an RTMP
 * server: every TLS connection on loopback is piped to `127.0.0.1:targetPort`.
 */
export class TlsTerminator {
  /** TLS connections accepted (handshake done) so far. */
  connections = 0;
  /** Cleartext bytes passed on to the target. */
  bytesForwarded = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly certificate: SelfSignedCertificate,
  ) {}

  static async start(
    targetPort: number,
    certificate: SelfSignedCertificate,
  ): Promise<TlsTerminator> {
    const server = createServer({ cert: certificate.cert, key: certificate.key });
    const terminator = new TlsTerminator(server, certificate);
    server.on('secureConnection', (socket) => terminator.pipe(socket, targetPort));
    // A client that gives up during the handshake is no concern of the test's.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return terminator;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection; resolves once the server is closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private pipe(client: TLSSocket, targetPort: number): void {
    this.connections += 1;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket][] = [
      [client, upstream],
      [upstream, client],
    ];
    for (const [socket, other] of pair) {
      this.sockets.add(socket);
      // As a TCP proxy does: an abrupt end of one side resets the other, a clean one ends it.
      socket.on('error', () => other.destroy());
      socket.once('close', () => {
        this.sockets.delete(socket);
        other.end();
      });
    }
    client.on('data', (data: Buffer) => (this.bytesForwarded += data.length));
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
