import { subscribe, unsubscribe } from 'diagnostics_channel';
import { Socket } from 'net';
import {
  abandonedMessageFlood,
  hugeConnectFlood,
  hugeConnectMessage,
  SlotHolders,
  unfinishedMessageHold,
  unreadCommandFlood,
} from '../test/support/hostile/attack-clients';
import { MessageType } from '../libs/rtmp/src/protocol/message';
import { HandshakeProbe } from './support/handshake-probe';
import { cpuSettled, ProcessMeter } from './support/proc';
import { BenchServer, ServerKind } from './support/servers';
import { sleep } from './support/util';

/*
 * Issue 18's attacks by peers that present no stream key, one after another against one server
 * process, each measured on its own: the server's CPU seconds and peak RSS while it runs, and
 * how long a fresh client's handshake takes meanwhile. The attack clients are the hostile-peer
 * suite's (test/support/hostile/attack-clients.ts), so the bench and the suite attack alike.
 */

/** How often the probe client starts a handshake while an attack runs. */
export const PROBE_INTERVAL_MS = 200;
/**
 * Probes go on at least this long after an attack starts, so that an attack the server ends at
 * once still gets probes, and the time right after it is probed too.
 */
export const MIN_PROBE_WINDOW_MS = 1_000;
/**
 * An attack still running after this long is stopped (its sockets destroyed) and its row says
 * so: a server that stops reading would otherwise hold the bench forever.
 */
const ATTACK_LIMIT_MS = 5_000;
export const ATTACK_LIMIT_S = ATTACK_LIMIT_MS / 1000;
/** After an attack: the server is done with it once its CPU time stops moving for this long. */
export const CPU_QUIET_MS = 300;
const CPU_SETTLE_LIMIT_MS = 5_000;
/** A probe that takes longer fails. */
export const PROBE_TIMEOUT_MS = 5_000;
/** Where handshakeLatency (attack-clients.ts) connects from: apart from every attacker. */
export const PROBE_ADDRESS = '127.0.0.250';

/** The slot holders' addresses: 127.0.1.1 to 127.0.1.20, as in the hostile-peer suite. */
const HOLDER_ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);

/** What one attack did, seen from the attackers' side. */
interface AttackOutcome {
  /** Whether (or how many of) the attackers' connections the server closed. */
  readonly closed: string;
  /**
   * Bytes the attackers wrote; undefined where the attack client does not count what left (the
   * huge connects report what they meant to send) or the bytes are too few to matter.
   */
  readonly bytesSent?: number;
}

interface Attack {
  /** The row's label. */
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

/**
 * The connect commands of the two huge-connect attacks, built once, before any is measured:
 * encoding a million properties is slow, and the attacker's work, not the server's.
 */
let hugeConnects: { million: Buffer; hundredThousand: Buffer; sixThousand: Buffer } | undefined;

function connects(): { million: Buffer; hundredThousand: Buffer; sixThousand: Buffer } {
  hugeConnects ??= {
    million: hugeConnectMessage(1_000_000),
    hundredThousand: hugeConnectMessage(100_000),
    sixThousand: hugeConnectMessage(6_000),
  };
  return hugeConnects;
}

const yesNo = (closed: boolean): string => (closed ? 'yes' : 'no');

/** The slot holders' attack, the one row a Node floor is measured for (see benchSlotHoldersFloor). */
const SLOT_HOLDERS =
  '1000 connections from 20 addresses dribbling the handshake, 2.5 s once all are open';

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
    name: 'SetChunkSize 1, then 4 MB of headers each abandoning a 16 MiB message',
    run: async (port) => {
      const result = await abandonedMessageFlood(port, 4_000_000, 0xffffff);
      return { closed: yesNo(result.closedByServer), bytesSent: result.bytesSent };
    },
  },
  {
    name: 'SetChunkSize 1, then 4 MB of headers each abandoning a message of 1 MiB − 1',
    run: async (port) => {
      const result = await abandonedMessageFlood(port, 4_000_000, 0x0fffff);
      return { closed: yesNo(result.closedByServer), bytesSent: result.bytesSent };
    },
  },
  ...(['createStream', 'FCPublish'] as const).map((command): Attack => ({
    name: `\`${command}\` sent without end (up to 64 MB), no reply read`,
    run: async (port) => {
      const result = await unreadCommandFlood(port, command, 64 * 1024 * 1024);
      return { closed: yesNo(result.closedByServer), bytesSent: result.bytesSent };
    },
  })),
  {
    name: '20 connections, each holding two unfinished 16 MiB messages (4 MiB of each sent)',
    run: (port) => holdUnfinished(port, 4 * 1024 * 1024, 0xffffff),
  },
  {
    name: '20 connections, each holding two unfinished video messages of 1 MiB − 1 (15 of 16 chunks sent)',
    run: (port) => holdUnfinished(port, 0x0ffffe, 0x0fffff, MessageType.Video),
  },
  {
    name: '20 connections, each holding two unfinished commands of 1 MiB − 1 (15 of 16 chunks sent)',
    run: (port) => holdUnfinished(port, 0x0ffffe, 0x0fffff, MessageType.CommandAmf0),
  },
  {
    name: '60 connects, each with an object of a million properties (7.6 MB)',
    run: (port) => connectFlood(port, connects().million),
  },
  {
    name: '60 connects, each with an object of 100 000 properties (under 1 MiB)',
    run: (port) => connectFlood(port, connects().hundredThousand),
  },
  {
    name: '60 connects, each with an object of 6 000 properties (under 64 KiB)',
    run: (port) => connectFlood(port, connects().sixThousand),
  },
  {
    name: SLOT_HOLDERS,
    probesWhenCalled: true,
    run: holdSlots,
  },
];

async function holdSlots(port: number, probeNow: () => void): Promise<AttackOutcome> {
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

/** What the slot holders cost a server that does nothing but read. */
export interface SlotHoldersFloor {
  readonly attack: string;
  readonly cpuSeconds: number;
  readonly peakRssGrowth: number;
}

/**
 * The slot holders against the Node floor (a net.Server that only reads, started by the caller):
 * what Node's own sockets cost under that attack, before any RTMP. No probe: the floor speaks no
 * RTMP.
 */
export async function benchSlotHoldersFloor(server: BenchServer): Promise<SlotHoldersFloor> {
  await sleep(300);
  const meter = new ProcessMeter(server.pid);
  const rssBefore = meter.memory().rss;
  await holdSlots(server.port, () => undefined);
  await cpuSettled(server.pid, CPU_QUIET_MS, CPU_SETTLE_LIMIT_MS);
  return {
    attack: SLOT_HOLDERS,
    cpuSeconds: meter.cpu(),
    peakRssGrowth: Math.max(0, meter.memory().peakRss - rssBefore),
  };
}

async function holdUnfinished(
  port: number,
  bytesEach: number,
  announced: number,
  typeId: number = MessageType.Video,
): Promise<AttackOutcome> {
  const connections = 20;
  const { sockets, result } = await unfinishedMessageHold(
    port,
    connections,
    bytesEach,
    announced,
    typeId,
  );
  for (const socket of sockets) socket.destroy();
  return {
    closed: `${connections - sockets.length} of ${connections}`,
    bytesSent: result.bytesSent,
  };
}

async function connectFlood(port: number, message: Buffer): Promise<AttackOutcome> {
  const connections = 60;
  const result = await hugeConnectFlood(port, connections, message);
  return { closed: result.closedByServer ? `all ${connections}` : `not all ${connections}` };
}

export interface HostileRow {
  readonly attack: string;
  /** The row without an attack. */
  readonly control: boolean;
  /** Wall seconds from the attack's start to its end (not the settling after it). */
  readonly seconds: number;
  readonly outcome: AttackOutcome;
  /** Stopped at {@link ATTACK_LIMIT_MS}. */
  readonly stopped: boolean;
  /** The server's CPU seconds from the attack's start until it settled after it. */
  readonly cpuSeconds: number;
  /** RSS as the attack started. */
  readonly rssBefore: number;
  /** Peak RSS (VmHWM, reset as the attack started) over the same stretch. */
  readonly peakRss: number;
  /** Handshake times of the probes that completed, in ms. */
  readonly probeMs: readonly number[];
  /** Probes that failed: refused, closed, or over {@link PROBE_TIMEOUT_MS}. */
  readonly probesFailed: number;
}

export interface HostileResult {
  readonly kind: ServerKind;
  readonly rows: readonly HostileRow[];
  /** False when the peak RSS could not be reset: then each peak is the process's so far. */
  readonly peakReset: boolean;
}

/** Every attack in turn against `server`, which the caller started fresh. */
export async function benchHostile(server: BenchServer): Promise<HostileResult> {
  connects();
  const probe = await HandshakeProbe.launch();
  const rows: HostileRow[] = [];
  let peakReset = true;
  try {
    for (const attack of HOSTILE_ATTACKS) {
      // Each attack starts from a collected heap (Node servers), whatever the one before left.
      await server.gcThenCounters();
      await sleep(300);
      const { row, meter } = await measureAttack(server, attack, probe);
      peakReset &&= meter.peakReset;
      rows.push(row);
    }
  } finally {
    await probe.close();
  }
  return { kind: server.kind, rows, peakReset };
}

async function measureAttack(
  server: BenchServer,
  attack: Attack,
  probe: HandshakeProbe,
): Promise<{ row: HostileRow; meter: ProcessMeter }> {
  const attackers = new AttackerSockets();
  const meter = new ProcessMeter(server.pid);
  const rssBefore = meter.memory().rss;
  const started = performance.now();
  let probeStart!: () => void;
  const probeGate = new Promise<void>((resolve) => (probeStart = resolve));
  const probing = probeGate
    .then(() => probe.start(server.port, PROBE_INTERVAL_MS, PROBE_TIMEOUT_MS))
    .then(() => performance.now());
  if (attack.probesWhenCalled !== true) probeStart();

  let stopped = false;
  const limit = setTimeout(() => {
    stopped = true;
    attackers.destroyAll();
  }, ATTACK_LIMIT_MS);
  let outcome: AttackOutcome;
  try {
    outcome = await attack.run(server.port, probeStart);
  } catch (error) {
    // An attack the server cuts short where the client did not expect it (during the
    // handshake, say) is a row like any other; one stopped at the limit fails that way too.
    outcome = {
      closed: stopped
        ? 'not known (stopped)'
        : `attack failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    clearTimeout(limit);
    attackers.close();
  }
  const seconds = (performance.now() - started) / 1000;
  // An attack that ends before the probes may start (it could not fill the server) is probed
  // after it ends, so that the row still says how the server answers.
  probeStart();
  const probingSince = await probing;
  await sleep(MIN_PROBE_WINDOW_MS - (performance.now() - probingSince));
  const { probeMs, failed } = await probe.stop();
  await cpuSettled(server.pid, CPU_QUIET_MS, CPU_SETTLE_LIMIT_MS);
  return {
    meter,
    row: {
      attack: attack.name,
      control: attack.control === true,
      seconds,
      outcome,
      stopped,
      cpuSeconds: meter.cpu(),
      rssBefore,
      peakRss: meter.memory().peakRss,
      probeMs: [...probeMs],
      probesFailed: failed,
    },
  };
}

/**
 * Every client socket this process opens while an attack runs (through the `net.client.socket`
 * diagnostics channel), so that an attack past {@link ATTACK_LIMIT_MS} can be stopped without
 * the attack clients knowing about limits.
 */
class AttackerSockets {
  private readonly sockets = new Set<Socket>();
  private readonly onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  };

  constructor() {
    subscribe('net.client.socket', this.onSocket);
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  close(): void {
    unsubscribe('net.client.socket', this.onSocket);
    this.sockets.clear();
  }
}
