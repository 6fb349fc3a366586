import { subscribe, unsubscribe } from 'diagnostics_channel';
import { Socket } from 'net';
import {
  Attack,
  AttackOutcome,
  hugeConnects,
  HOSTILE_ATTACKS,
  holdSlots,
  SLOT_HOLDERS,
} from './hostile-attacks';
import { HandshakeProbe } from './support/handshake-probe';
import { cpuSettled, ProcessMeter } from './support/proc';
import { BenchServer, ServerKind } from './support/servers';
import { sleep } from './support/util';

/*
 * Issue 18's attacks (./hostile-attacks.ts) one after another against one server process, each
 * measured on its own: the server's CPU seconds and peak RSS while it runs, and how long a
 * fresh client's handshake takes meanwhile.
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
  hugeConnects();
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
