import { describeStream, redactStreamKey } from '../common/mask-stream-key';
import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { publicStreamNameProblem } from './public-stream-name';
import { RtmpLogger } from './rtmp-logger';
import { isStreamVerdict, StreamRequest, StreamVerdict, StreamVerdicts } from './stream-request';

/**
 * Decides whether a publish (or play) may go ahead. May be async; may throw (which rejects).
 * `signal` is aborted, with the reason as an RtmpError, when the answer no longer matters:
 * `verifierTimeoutMs` passed (RTMP_ERR_VERIFIER_TIMEOUT) or the connection closed
 * (RTMP_ERR_SESSION_SOCKET). Pass it on to fetch() or a database call to stop the work.
 */
export type RequestVerifier = (
  request: StreamRequest,
  signal: AbortSignal,
) => StreamVerdict | Promise<StreamVerdict>;

/**
 * Runs verifiers and fails closed: an exception, a rejected promise, a value that is not a
 * verdict, a publish accepted under an invalid public name, or no answer within `timeoutMs`
 * all reject. A play's verdict comes without a name: a player plays the name it asked for.
 * The verifier's signal is aborted when the answer no longer matters (the timeout passed, or
 * `connectionSignal` aborted because the client left). Keeps its timers so that `clear()`
 * leaves none running after the server closed.
 */
export class VerdictWithTimeout {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly verifier: RequestVerifier,
    private readonly timeoutMs: number,
    private readonly logger: RtmpLogger,
    private readonly servedApps: readonly string[] | undefined,
  ) {}

  async verdict(request: StreamRequest, connectionSignal: AbortSignal): Promise<StreamVerdict> {
    const label = describeStream(request.app, request.streamName, this.servedApps);
    const { timeoutMs } = this;
    const abort = new AbortController();
    const connectionClosed = (): void => abort.abort(connectionSignal.reason);
    connectionSignal.addEventListener('abort', connectionClosed, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<StreamVerdict>((resolve) => {
      const pending = setTimeout(() => {
        this.timers.delete(pending);
        this.logger.warn(
          `${RtmpErrorCode.VerifierTimeout}: no verdict for ${label} in ${timeoutMs} ms`,
        );
        abort.abort(
          new RtmpError(RtmpErrorCode.VerifierTimeout, `no verdict in ${timeoutMs} ms`, false),
        );
        resolve(StreamVerdicts.reject('Verification timed out.'));
      }, timeoutMs);
      this.timers.add(pending);
      timer = pending;
    });
    const answer = (async (): Promise<StreamVerdict> => {
      try {
        const value: unknown = await this.verifier(request, abort.signal);
        if (isStreamVerdict(value)) return this.withCheckedName(request, value, label);
        this.logger.error(
          `${RtmpErrorCode.VerifierInvalidVerdict}: verifier returned no verdict for ${label}`,
        );
      } catch (error) {
        // The verifier's own message may quote the key it refused: mask it.
        const message = redactStreamKey(
          error instanceof Error ? error.message : String(error),
          request.streamName,
        );
        this.logger.error(
          `${RtmpErrorCode.VerifierFailed}: verifier threw for ${label}: ${message}`,
        );
      }
      return StreamVerdicts.reject('Verification failed.');
    })();
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      connectionSignal.removeEventListener('abort', connectionClosed);
      if (timer !== undefined) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
    }
  }

  /**
   * `verdict` with its public name checked: a publish accepted under an invalid one is
   * rejected, never accepted under the key; a play's acceptance loses its name.
   */
  private withCheckedName(
    request: StreamRequest,
    verdict: StreamVerdict,
    label: string,
  ): StreamVerdict {
    if (!verdict.accepted || !('name' in verdict)) return verdict;
    if (request.action === 'play') return StreamVerdicts.accept();
    const problem = publicStreamNameProblem(verdict.name);
    if (problem === undefined) return verdict;
    this.logger.error(
      `${RtmpErrorCode.VerifierInvalidName}: the verifier accepted ${label} under an invalid public name (${problem}): rejected`,
    );
    return StreamVerdicts.reject('Verification failed.');
  }

  /** Stops every timeout still running (the server closes). */
  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
