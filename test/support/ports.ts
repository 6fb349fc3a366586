import { AddressInfo, connect, createServer } from 'net';

/**
 * A loopback port nobody listens on right now: bind port 0, read the port, close. Another
 * process may take it before the caller binds it, so callers retry on EADDRINUSE.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface WaitForPortOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Checked between attempts: stop waiting (the server's process has exited...). */
  readonly giveUp?: () => boolean;
}

/**
 * Polls until `127.0.0.1:port` accepts a TCP connection (closed at once), with a short
 * backoff (5 ms doubling to 100 ms). Resolves false on timeout or when `giveUp` says so. Only
 * for servers that accept many connections: FFmpeg's `-listen 1` accepts exactly one.
 */
export async function waitForPort(port: number, options: WaitForPortOptions): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  let delay = 5;
  while (performance.now() < deadline) {
    if (options.giveUp?.()) return false;
    if (await accepts(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
  return false;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
