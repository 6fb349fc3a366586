import type { RelaySource } from '../relay-source';
import type { RelayStatus } from '../relay-status';
import { StreamRelay } from '../stream-relay';
import type { StreamRelayOptions } from '../stream-relay.options';
import { FakeClient, publishClients } from './fake-publish-client';

/** The destination the relay specs start relays with (stream name `relay-key-1234`). */
export const RELAY_URL = 'rtmp://destination.test/live/relay-key-1234';

/** Lets promise callbacks (connect().then...) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

/** What `useRelayHarness` gives a relay spec. */
export interface RelayHarness {
  /** Every fake client made, in order (a spec may empty it between cases). */
  readonly fakes: FakeClient[];
  /** Every relay started through `relay`: stopped after each test. */
  readonly relays: StreamRelay[];
  /** Starts a relay from `source` to `url` (RELAY_URL by default). */
  relay(source: RelaySource, options?: StreamRelayOptions, url?: string): StreamRelay;
  /** The statuses `target` reports from now on, collected. */
  statusesOf(target: StreamRelay): RelayStatus[];
  /** The fake client made last: the relay's current connection. */
  lastClient(): FakeClient;
}

/**
 * For a relay spec whose file mocks the push client (see fake-publish-client.ts): before each
 * test every new client is a FakeClient (a test may set `publishClients.fake` to false for
 * real ones); after it, real timers again and every relay stopped. Call inside a `describe`.
 */
export function useRelayHarness(): RelayHarness {
  const fakes: FakeClient[] = [];
  const relays: StreamRelay[] = [];

  beforeEach(() => {
    publishClients.fake = true;
    publishClients.create = (options) => {
      const client = new FakeClient(options);
      fakes.push(client);
      return client;
    };
  });

  afterEach(async () => {
    jest.useRealTimers();
    await Promise.all(relays.map((relay) => relay.stop()));
    relays.length = 0;
    fakes.length = 0;
  });

  return {
    fakes,
    relays,
    relay(source, options = {}, url = RELAY_URL) {
      const created = new StreamRelay(source, url, options);
      relays.push(created);
      return created;
    },
    statusesOf(target) {
      const statuses: RelayStatus[] = [];
      target.onStatus((status) => statuses.push(status));
      return statuses;
    },
    lastClient: () => fakes[fakes.length - 1],
  };
}
