import { ClientLink, LinkedClient } from './client-link';
import type { RelayStatus } from './relay-status';

const BACKOFF = { initialDelayMs: 100, maxDelayMs: 400, multiplier: 2, jitter: 0 };

/** A client the test accepts or drops by hand. */
class FakeClient implements LinkedClient {
  closeCalls = 0;
  private accept: (() => void) | undefined;
  private reject: ((error: Error) => void) | undefined;
  private readonly closeListeners: ((cause: Error | undefined) => void)[] = [];

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.accept = resolve;
      this.reject = reject;
    });
  }

  async close(): Promise<void> {
    this.closeCalls += 1;
  }

  onClose(listener: (cause: Error | undefined) => void): void {
    this.closeListeners.push(listener);
  }

  /** The remote accepted (publishing or playing). */
  goLive(): void {
    this.accept?.();
  }

  /** The connection failed or dropped, as the real clients report it: reject, then onClose. */
  drop(cause: Error): void {
    this.reject?.(cause);
    for (const listener of this.closeListeners) listener(cause);
  }
}

describe('ClientLink', () => {
  let clients: FakeClient[];
  let events: string[];
  let statuses: RelayStatus[];
  let link: ClientLink<FakeClient>;

  beforeEach(() => {
    jest.useFakeTimers();
    clients = [];
    events = [];
    statuses = [];
    link = new ClientLink<FakeClient>(
      {
        create: () => {
          const client = new FakeClient();
          clients.push(client);
          events.push(`create ${clients.length}`);
          return client;
        },
        live: (client, reconnected) =>
          events.push(`live ${clients.indexOf(client) + 1}${reconnected ? ' again' : ''}`),
        lost: (client) => events.push(`lost ${clients.indexOf(client) + 1}`),
        stopping: () => events.push('stopping'),
      },
      BACKOFF,
    );
    link.onStatus((status) => statuses.push(status));
  });

  afterEach(async () => {
    await link.stop();
    jest.useRealTimers();
  });

  it('connects on start, not before', async () => {
    expect(clients).toHaveLength(0);
    link.start();
    expect(link.client).toBe(clients[0]);
    clients[0].goLive();
    await Promise.resolve();
    expect(events).toEqual(['create 1', 'live 1']);
    // The first is the status onStatus replays on subscribing, before start.
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connecting', 'live']);
  });

  it('replaces a client that drops on the backoff, and says the next live one is a reconnection', async () => {
    link.start();
    clients[0].goLive();
    await Promise.resolve();
    const cause = new Error('reset');
    clients[0].drop(cause);
    expect(link.client).toBeUndefined();
    expect(link.status).toEqual({ state: 'retrying', error: cause, retryInMs: 100 });
    jest.advanceTimersByTime(100);
    clients[1].goLive();
    await Promise.resolve();
    expect(events).toEqual(['create 1', 'live 1', 'lost 1', 'create 2', 'live 2 again']);
  });

  it('ignores a client it no longer holds: replaced by reconnect(), it neither goes live nor fails', async () => {
    link.start();
    link.reconnect();
    expect(link.client).toBeUndefined();
    await Promise.resolve(); // the old client closes, then the next attempt starts
    expect(clients[0].closeCalls).toBe(1);
    clients[0].goLive();
    clients[0].drop(new Error('late'));
    await Promise.resolve();
    expect(link.client).toBe(clients[1]);
    expect(events).toEqual(['create 1', 'create 2']);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connecting', 'connecting']);
  });

  it('stops once: the owner lets go first, the client closes, no retry follows', async () => {
    link.start();
    clients[0].drop(new Error('refused'));
    const first = link.stop();
    expect(link.stop()).toBe(first);
    await first;
    jest.advanceTimersByTime(1_000);
    expect(clients).toHaveLength(1);
    expect(events).toEqual(['create 1', 'lost 1', 'stopping']);
    expect(link.status.state).toBe('stopped');
  });

  it('closes the current client on stop, and ignores it afterwards', async () => {
    link.start();
    await link.stop();
    expect(clients[0].closeCalls).toBe(1);
    clients[0].goLive();
    clients[0].drop(new Error('closed'));
    await Promise.resolve();
    expect(events).toEqual(['create 1', 'stopping']);
  });
});
