/*
 * The probe client of the hostile-traffic scenario, in a process of its own: in the bench
 * process, beside the attackers, its handshakes would wait whenever the attackers' work holds
 * the event loop, and that delay would be counted against the server. Between `start` and
 * `stop` it completes a handshake every interval, one at a time (./handshake-probe-ipc.ts).
 *
 *   node .bench-work/build/bench/support/handshake-probe-process.js
 *   (compiled by the bench with the servers, see compileServers)
 */
import { handshakeLatency } from '../../test/support/hostile/attack-clients';
import { ProbeReport, ProbeRequest } from './handshake-probe-ipc';
import { announceReady, answerParent } from './parent-channel';
import { sleep } from './util';

let probing: Promise<void> | undefined;
let stopping = false;
let probeMs: number[] = [];
let failed = 0;

async function probe(port: number, intervalMs: number, timeoutMs: number): Promise<void> {
  while (!stopping) {
    try {
      probeMs.push(await handshakeLatency(port, timeoutMs));
    } catch {
      failed += 1;
    }
    if (!stopping) await sleep(intervalMs);
  }
}

answerParent<ProbeRequest>(async (request): Promise<{ report?: ProbeReport }> => {
  if (request.type === 'start') {
    stopping = false;
    probeMs = [];
    failed = 0;
    probing = probe(request.port, request.intervalMs, request.timeoutMs);
    return {};
  }
  stopping = true;
  // The probe under way is waited for: a handshake the attack slowed down is the one to count.
  await probing;
  probing = undefined;
  return { report: { probeMs, failed } };
});
announceReady();
