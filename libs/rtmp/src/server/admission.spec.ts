import { publishRequest } from '../media/testing/media-packet.fixtures';
import { Admission, AdmissionDeps, Applicant, PlayAdmission, PublishAdmission } from './admission';
import { LiveStream } from './live-stream';
import type { RtmpSession } from './rtmp-session';
import { StreamDecision } from './rtmp-server';
import { StreamPlayer } from './stream-player';
import { StreamRequest, StreamVerdict, StreamVerdicts } from './stream-request';
import { VerdictWithTimeout } from './verdict-with-timeout';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const SESSION = {} as RtmpSession;

/** An Admission over fakes; `verdict` is what the verifier answers. */
function admission(
  verdict: StreamVerdict,
  options: { live?: boolean; waits?: boolean; busy?: boolean } = {},
) {
  const decisions: Omit<StreamDecision, 'request'>[] = [];
  const started: LiveStream[] = [];
  const players: StreamPlayer[] = [];
  const deps: AdmissionDeps = {
    verdicts: new VerdictWithTimeout(() => verdict, 1_000, silent, undefined),
    playersWaitForPublisher: () => options.waits ?? true,
    decided: (_request, decided, abandoned) => decisions.push({ verdict: decided, abandoned }),
    createLiveStream: (request, onListenerError) => new LiveStream(request, onListenerError),
    claim: () => options.busy !== true,
    isLive: () => options.live ?? false,
    streamStarted: (stream) => started.push(stream),
    addPlayer: (player) => players.push(player),
  };
  return { subject: new Admission(deps), decisions, started, players };
}

function applicant(stillWaiting = true): Applicant {
  return {
    signal: new AbortController().signal,
    stillWaiting: () => stillWaiting,
    onListenerError: () => undefined,
    fail: (error) => {
      throw error;
    },
  };
}

function publish(subject: Admission, waiting = true, request: StreamRequest = publishRequest()) {
  return new Promise<{ outcome: PublishAdmission }>((resolve) =>
    subject.publish(SESSION, request, applicant(waiting), (outcome) => resolve({ outcome })),
  );
}

function play(subject: Admission, waiting = true) {
  return new Promise<PlayAdmission>((resolve) =>
    subject.play({ ...publishRequest(), action: 'play' }, applicant(waiting), resolve),
  );
}

describe('Admission', () => {
  it('admits a publish the verifier accepts: one decision, the stream created, announced on demand', async () => {
    const { subject, decisions, started } = admission(StreamVerdicts.accept());
    const { outcome } = await publish(subject);
    expect(outcome.outcome).toBe('admitted');
    expect(decisions).toEqual([{ verdict: { accepted: true }, abandoned: false }]);
    expect(started).toEqual([]);
    if (outcome.outcome === 'admitted') outcome.announce();
    expect(started).toHaveLength(1);
  });

  it('refuses what the verifier refuses, and a key a live publisher holds (Already publishing)', async () => {
    const refused = admission(StreamVerdicts.reject('no'));
    expect((await publish(refused.subject)).outcome).toEqual({
      outcome: 'refused',
      refusal: { accepted: false, reason: 'no', code: 'BadName' },
    });
    const busy = admission(StreamVerdicts.accept(), { busy: true });
    expect((await publish(busy.subject)).outcome).toMatchObject({
      outcome: 'refused',
      refusal: { reason: 'Already publishing' },
    });
    expect(busy.decisions).toEqual([
      {
        verdict: { accepted: false, reason: 'Already publishing', code: 'BadName' },
        abandoned: false,
      },
    ]);
  });

  it('reports a verdict the client left before as abandoned, and does nothing else', async () => {
    const { subject, decisions, started } = admission(StreamVerdicts.accept());
    expect((await publish(subject, false)).outcome).toEqual({ outcome: 'abandoned' });
    expect(decisions).toEqual([{ verdict: { accepted: true }, abandoned: true }]);
    expect(started).toEqual([]);
  });

  it('admits a play: the player waits or attaches; not live and not waiting is not-found (reported refused)', async () => {
    const waiting = admission(StreamVerdicts.accept());
    const admitted = await play(waiting.subject);
    expect(admitted.outcome).toBe('admitted');
    const notWaiting = admission(StreamVerdicts.accept(), { waits: false, live: false });
    expect(await play(notWaiting.subject)).toEqual({ outcome: 'not-found' });
    expect(notWaiting.decisions).toEqual([
      {
        verdict: {
          accepted: false,
          reason: 'Stream not found (not live, and playersWaitForPublisher is false).',
        },
        abandoned: false,
      },
    ]);
  });
});
