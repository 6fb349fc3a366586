import {
  abandonedMessageFlood,
  hugeConnectFlood,
  hugeConnectMessage,
  SlotHolders,
  unfinishedMessageHold,
  unreadCommandFlood,
} from '../test/support/hostile/attack-clients';
import { MessageType } from '../libs/rtmp/src/protocol/message';
import { sleep } from './support/util';

/*
 * Issue 18's attacks by peers that present no stream key, with the hostile-peer suite's attack
 * clients and parameters (test/support/hostile/attack-clients.ts), so the bench and the suite
 * attack alike. ./hostile.bench.ts measures each.
 */

/** The slot holders' addresses: 127.0.1.1 to 127.0.1.20, as in the hostile-peer suite. */
const HOLDER_ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);

/** What one attack did, seen from the attackers' side. */
export interface AttackOutcome {
  /** Whether (or how many of) the attackers' connections the server closed. */
  readonly closed: string;
}

export interface Attack {
  /** The row's label: BENCHMARKS.md takes it from here, for saved results too (attackLabels). */
  readonly name: string;
  /** The row without an attack, for what the probe alone costs: no target applies to it. */
  readonly control?: boolean;
  /**
   * Probing waits until the attack calls `probeNow` (the slot holders: once they fill the
   * server); otherwise it starts with the attack.
   */
  readonly probesWhenCalled?: boolean;
  run(port: number, probeNow: () => void): Promise<AttackOutcome>;
}

type HugeConnects = { million: Buffer; hundredThousand: Buffer; sixThousand: Buffer };
let built: HugeConnects | undefined;

/**
 * The connect commands of the huge-connect attacks, built once, before any is measured:
 * encoding a million properties is slow, and the attacker's work, not the server's.
 */
export function hugeConnects(): HugeConnects {
  built ??= {
    million: hugeConnectMessage(1_000_000),
    hundredThousand: hugeConnectMessage(100_000),
    sixThousand: hugeConnectMessage(6_000),
  };
  return built;
}

/** The outcome of an attack on one connection: whether the server closed it. */
async function closedOrNot(attack: Promise<{ closedByServer: boolean }>): Promise<AttackOutcome> {
  return { closed: (await attack).closedByServer ? 'yes' : 'no' };
}

/** The slot holders' attack, the one row a Node floor is measured for (see benchSlotHoldersFloor). */
export const SLOT_HOLDERS = '1000 handshakes dribbled from 20 addresses, held 2.5 s';

/** The attacks of issue 18, with the hostile-peer suite's parameters, and a control row first. */
export const HOSTILE_ATTACKS: readonly Attack[] = [
  {
    name: 'none (the probe alone, 2 s)',
    control: true,
    run: async () => {
      await sleep(2_000);
      return { closed: 'n/a' };
    },
  },
  {
    name: 'SetChunkSize 1, 4 MB of headers abandoning 16 MiB messages',
    run: (port) => closedOrNot(abandonedMessageFlood(port, 4_000_000, 0xffffff)),
  },
  {
    name: 'SetChunkSize 1, 4 MB of headers abandoning 1 MiB − 1 messages',
    run: (port) => closedOrNot(abandonedMessageFlood(port, 4_000_000, 0x0fffff)),
  },
  ...(['createStream', 'FCPublish'] as const).map((command): Attack => ({
    name: `\`${command}\` flood (≤ 64 MB), replies unread`,
    run: (port) => closedOrNot(unreadCommandFlood(port, command, 64 * 1024 * 1024)),
  })),
  {
    name: '20 sockets × 2 unfinished 16 MiB messages (4 MiB sent)',
    run: (port) => holdUnfinished(port, 4 * 1024 * 1024, 0xffffff),
  },
  {
    name: '20 sockets × 2 unfinished 1 MiB − 1 videos (15/16 sent)',
    run: (port) => holdUnfinished(port, 0x0ffffe, 0x0fffff, MessageType.Video),
  },
  {
    name: '20 sockets × 2 unfinished 1 MiB − 1 commands (15/16 sent)',
    run: (port) => holdUnfinished(port, 0x0ffffe, 0x0fffff, MessageType.CommandAmf0),
  },
  {
    name: '60 connects with a million properties (7.6 MB)',
    run: (port) => connectFlood(port, hugeConnects().million),
  },
  {
    name: '60 connects with 100 000 properties (< 1 MiB)',
    run: (port) => connectFlood(port, hugeConnects().hundredThousand),
  },
  {
    name: '60 connects with 6 000 properties (< 64 KiB)',
    run: (port) => connectFlood(port, hugeConnects().sixThousand),
  },
  {
    name: SLOT_HOLDERS,
    probesWhenCalled: true,
    run: holdSlots,
  },
];

export async function holdSlots(port: number, probeNow: () => void): Promise<AttackOutcome> {
  const holders = new SlotHolders(port, 1_000, HOLDER_ADDRESSES);
  try {
    await holders.whenHolding();
    probeNow();
    await sleep(2_500);
  } finally {
    holders.stop();
  }
  return { closed: `${holders.closedByServer} of ${holders.opened}` };
}

async function holdUnfinished(
  port: number,
  bytesEach: number,
  announced: number,
  typeId: number = MessageType.Video,
): Promise<AttackOutcome> {
  const connections = 20;
  const { sockets } = await unfinishedMessageHold(port, connections, bytesEach, announced, typeId);
  for (const socket of sockets) socket.destroy();
  return { closed: `${connections - sockets.length} of ${connections}` };
}

async function connectFlood(port: number, message: Buffer): Promise<AttackOutcome> {
  const connections = 60;
  const result = await hugeConnectFlood(port, connections, message);
  return { closed: result.closedByServer ? `all ${connections}` : `not all ${connections}` };
}
