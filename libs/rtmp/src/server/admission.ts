import { ListenerErrorHandler } from '../media/listener-set';
import { LiveStream } from './live-stream';
import type { SessionLifecycle } from './session-lifecycle';
import { StreamPlayer } from './stream-player';
import { StreamRequest, StreamVerdict } from './stream-request';
import { VerdictWithTimeout } from './verdict-with-timeout';

/** A verdict that refuses. */
export type Refusal = StreamVerdict & { readonly accepted: false };

/**
 * What a publish request came to. `abandoned`: the client left before the verdict, which was
 * then reported and not acted on.
 */
export type PublishAdmission =
  | {
      readonly outcome: 'admitted';
      readonly stream: LiveStream;
      /** Tells waiting players and `onStreamStart` listeners; call once Publish.Start is out. */
      readonly announce: () => void;
    }
  | {
      readonly outcome: 'refused';
      readonly refusal: Refusal;
      /** The public name the verifier gave, when the name was taken ("Already publishing"). */
      readonly publicName?: string;
    }
  | { readonly outcome: 'abandoned' };

/** What a play request came to; `not-found`: accepted, but not live and players do not wait. */
export type PlayAdmission =
  | {
      readonly outcome: 'admitted';
      /** Registers the player: attached at once if its stream is live, else when it starts. */
      readonly attach: (player: StreamPlayer) => void;
      /** The public name of the stream played, if it is live and has one (for logs). */
      readonly publicName: string | undefined;
    }
  | { readonly outcome: 'refused'; readonly refusal: Refusal }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'abandoned' };

/** What admitting needs of the server: its registry, its players and its listeners. */
export interface AdmissionDeps {
  readonly verdicts: VerdictWithTimeout;
  readonly playersWaitForPublisher: () => boolean;
  /** Every request's one decision, abandoned ones included. */
  decided(request: StreamRequest, verdict: StreamVerdict, abandoned: boolean): void;
  /** The stream of an accepted publish, under its public name if the verifier gave one. */
  createLiveStream(
    request: StreamRequest,
    publicName: string | undefined,
    onListenerError: ListenerErrorHandler,
  ): LiveStream;
  /**
   * Registers the stream under its key (`app/<public name>` when it has one) for `publisher`;
   * false when a live one holds it: one publisher per public name, as per stream name.
   */
  claim(publisher: SessionLifecycle, stream: LiveStream): boolean;
  /** The stream live under `key` (`app/name`), if any. */
  liveStream(key: string): LiveStream | undefined;
  streamStarted(stream: LiveStream): void;
  addPlayer(player: StreamPlayer): void;
}

/** The client asking: its connection's signal, and whether it still waits for the verdict. */
export interface Applicant {
  readonly signal: AbortSignal;
  readonly stillWaiting: () => boolean;
  readonly onListenerError: ListenerErrorHandler;
  /** Something went wrong acting on the verdict: the connection closes with it. */
  readonly fail: (error: unknown) => void;
}

/**
 * Admission in one place: every publish and play goes through here. Ask the verifier (with the
 * timeout and the abort signal), report the one decision, then claim the key and create the
 * stream (publish), or find the stream or let the player wait (play). The session only asks
 * and acts on the outcome: what it sends the client, and when. The outcome is handed over in
 * the same turn as the decision is reported, so whoever hears an accepted play finds its
 * player registered, and an accepted publish's Publish.Start on its way.
 */
export class Admission {
  constructor(private readonly deps: AdmissionDeps) {}

  publish(
    publisher: SessionLifecycle,
    request: StreamRequest,
    applicant: Applicant,
    then: (admission: PublishAdmission) => void,
  ): void {
    this.deps.verdicts
      .verdict(request, applicant.signal)
      .then(
        (verdict) => then(this.decidePublish(publisher, request, applicant, verdict)),
        applicant.fail,
      );
  }

  play(
    request: StreamRequest,
    applicant: Applicant,
    then: (admission: PlayAdmission) => void,
  ): void {
    this.deps.verdicts
      .verdict(request, applicant.signal)
      .then((verdict) => then(this.decidePlay(request, applicant, verdict)), applicant.fail);
  }

  private decidePublish(
    publisher: SessionLifecycle,
    request: StreamRequest,
    applicant: Applicant,
    verdict: StreamVerdict,
  ): PublishAdmission {
    const { deps } = this;
    if (!applicant.stillWaiting()) return this.abandoned(request, verdict);
    if (!verdict.accepted) return this.refused(request, verdict);
    // The name was checked with the verdict (VerdictWithTimeout): valid, or no acceptance.
    const stream = deps.createLiveStream(request, verdict.name, applicant.onListenerError);
    if (!deps.claim(publisher, stream)) {
      const refused = this.refused(request, {
        accepted: false,
        reason: 'Already publishing',
        code: 'BadName',
      });
      return { ...refused, publicName: stream.publicName };
    }
    deps.decided(request, verdict, false);
    return { outcome: 'admitted', stream, announce: () => deps.streamStarted(stream) };
  }

  private decidePlay(
    request: StreamRequest,
    applicant: Applicant,
    verdict: StreamVerdict,
  ): PlayAdmission {
    const { deps } = this;
    if (!applicant.stillWaiting()) return this.abandoned(request, verdict);
    if (!verdict.accepted) return this.refused(request, verdict);
    // A player asks for the name a stream is live under: its public name, if it has one.
    const live = deps.liveStream(`${request.app}/${request.streamName}`);
    if (!deps.playersWaitForPublisher() && live === undefined) {
      // Reported as what it was for the player: refused (the verifier had accepted it).
      deps.decided(
        request,
        {
          accepted: false,
          reason: 'Stream not found (not live, and playersWaitForPublisher is false).',
        },
        false,
      );
      return { outcome: 'not-found' };
    }
    deps.decided(request, verdict, false);
    return {
      outcome: 'admitted',
      attach: (player) => deps.addPlayer(player),
      publicName: live?.publicName,
    };
  }

  private refused(
    request: StreamRequest,
    refusal: Refusal,
  ): { outcome: 'refused'; refusal: Refusal } {
    this.deps.decided(request, refusal, false);
    return { outcome: 'refused', refusal };
  }

  private abandoned(request: StreamRequest, verdict: StreamVerdict): { outcome: 'abandoned' } {
    // The client left meanwhile: nothing is sent, but audits still hear the verdict.
    this.deps.decided(request, verdict, true);
    return { outcome: 'abandoned' };
  }
}
