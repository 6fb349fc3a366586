import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { SessionError } from './session.error';

/**
 * The step a session is waiting for (the handshake; connect and a publish or play), with its
 * time limit. One at a time: each step re-arms it, and asking the verifier clears it (the
 * verifier's own timeout applies from there).
 */
export class SessionDeadline {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly expired: (error: SessionError) => void) {}

  arm(ms: number, code: RtmpErrorCode, what: string): void {
    this.clear();
    this.timer = setTimeout(
      () =>
        this.expired(new SessionError(code, `${what} not done within ${ms} ms`, { timeoutMs: ms })),
      ms,
    );
    this.timer.unref();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
