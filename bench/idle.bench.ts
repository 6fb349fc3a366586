import { Socket } from 'net';
import { openIdleConnections } from './support/idle-client';
import { processMemory } from './support/proc';
import { BenchServer, ServerKind } from './support/servers';
import { sleep } from './support/util';

/** How many connections are opened at once while building up the idle crowd. */
const PARALLEL = 50;
const SETTLE_MS = 2_000;

export interface IdleResult {
  readonly kind: ServerKind;
  readonly connections: number;
  readonly rssBefore: number;
  readonly rssWith: number;
  /** (rssWith - rssBefore) / connections: the scenario's figure. */
  readonly rssPerConnection: number;
  /** The same with both readings after a full GC (Node servers; nginx: the same figure). */
  readonly rssPerConnectionAfterGc: number;
  /**
   * The Node servers' young generation (V8's new space) before and with the connections, after
   * full GCs: V8 enlarges it under a burst of allocation and keeps it, a one-off that the
   * per-connection figures above include.
   */
  readonly youngBefore: number;
  readonly youngWith: number;
  /** rssPerConnectionAfterGc without the young generation's growth. */
  readonly rssPerConnectionWithoutYoung: number;
  /** Node servers: V8 heap + external memory per connection, after full GCs. */
  readonly heapPerConnection: number | undefined;
  /** Connections still open on the client side when measured. */
  readonly stillOpen: number;
  /** Connections the server reports open (ours and node-media-server). */
  readonly serverCount: number | undefined;
}

/**
 * Scenario 3: `count` connections that did the handshake and `connect`, then sit idle. RSS is
 * read from /proc before (after a full GC, on the Node servers) and with them open (2 s after the
 * last one connected: as is, then after a full GC).
 */
export async function benchIdle(server: BenchServer, count: number): Promise<IdleResult> {
  const node = server.kind !== 'nginx-rtmp';
  const gc = async (): Promise<{ heap: number; young: number }> => {
    const counters = await server.gcThenCounters();
    await sleep(500);
    return { heap: counters.heapAndExternal, young: counters.youngGeneration };
  };
  await sleep(500);
  const before = await gc();
  const rssBefore = processMemory(server.pid).rss;
  let sockets: Socket[] = [];
  try {
    sockets = await openIdleConnections(server.port, count, PARALLEL);
    await sleep(SETTLE_MS);
    const rssWith = processMemory(server.pid).rss;
    const withThem = await gc();
    const rssWithAfterGc = processMemory(server.pid).rss;
    const counters = await server.counters();
    const stillOpen = sockets.filter(
      (socket) => !socket.destroyed && socket.readyState === 'open',
    ).length;
    return {
      kind: server.kind,
      connections: count,
      rssBefore,
      rssWith,
      rssPerConnection: (rssWith - rssBefore) / count,
      rssPerConnectionAfterGc: (rssWithAfterGc - rssBefore) / count,
      youngBefore: before.young,
      youngWith: withThem.young,
      rssPerConnectionWithoutYoung:
        (rssWithAfterGc - rssBefore - (withThem.young - before.young)) / count,
      heapPerConnection: node ? (withThem.heap - before.heap) / count : undefined,
      stillOpen,
      serverCount: node ? counters.connections : undefined,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await sleep(500);
  }
}
