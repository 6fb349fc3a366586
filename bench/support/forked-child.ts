import { ChildProcess } from 'child_process';

/** How long a forked helper may take to exit once told to, before it is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * Stops a child forked with an IPC channel (the player swarm, the handshake probe): it exits
 * when its channel closes; one that lingers past STOP_GRACE_MS is killed. Resolves once it has
 * exited; at once if it already has.
 */
export async function stopForkedChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  child.disconnect();
  await exited;
}
