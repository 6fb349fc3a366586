import { publishRequest } from '../media/testing/media-packet.fixtures';
import { Admission, AdmissionDeps, Applicant, PlayAdmission, PublishAdmission } from './admission';
import { LiveStream } from './live-stream';
import type { RtmpSession } from './rtmp-session';
import { StreamDecision } from './rtmp-server';
import { StreamPlayer } from './stream-player';
import { StreamRegistry } from './stream-registry';
import { StreamRequest, StreamVerdict, StreamVerdicts } from './stream-request';
import { VerdictWithTimeout } from './verdict-with-timeout';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const SESSION = {} as RtmpSession;

/** An Admission over fakes; `verdict` is what the verifier answers. */
function admission(
  verdict: StreamVerdict,
  options: { live?: LiveStream; waits?: boolean; busy?: boolean } = {},
) {
  const decisions: Omit<StreamDecision, 'request'>[] = [];
  const started: LiveStream[] = [];
  const players: StreamPlayer[] = [];
  const deps: AdmissionDeps = {
    verdicts: new VerdictWithTimeout(() => verdict, 1_000, silent, undefined),
    playersWaitForPublisher: () => options.waits ?? true,
    decided: (_request, decided, abandoned) => decisions.push({ verdict: decided, abandoned }),
    createLiveStream: (request, publicName, onListenerError) =>
      new LiveStream(request, onListenerError, undefined, undefined, { publicName }),
    claim: () => options.busy !== true,
    liveStream: (key) => (options.live?.key === key ? options.live : undefined),
    streamStarted: (stream) => started.push(stream),
    addPlayer: (player) => players.push(player),
  };
  return { subject: new Admission(deps), decisions, started, players };
}

/** A publisher the registry can hold; silent since `lastMediaAt`. */
function registered(session: string, lastMediaAt = 0) {
  const evictions: string[] = [];
  const publisher = {
    session,
    lastMediaAt,
    evictions,
    evict: (reason: string) => evictions.push(reason),
  };
  return publisher as typeof publisher & RtmpSession;
}

/**
 * An Admission over a real StreamRegistry: the verifier names each key as `names` says, and
 * whatever publishes is registered as the server registers it (under `LiveStream.key`).
 */
function registryAdmission(names: Readonly<Record<string, string>>, staleAfterMs = 5_000) {
  const registry = new StreamRegistry<ReturnType<typeof registered>>(staleAfterMs);
  let now = 0;
  const deps: AdmissionDeps = {
    verdicts: new VerdictWithTimeout(
      (request) => {
        const name = names[request.streamName];
        return name === undefined ? StreamVerdicts.accept() : StreamVerdicts.accept({ name });
      },
      1_000,
      silent,
      ['live'],
    ),
    playersWaitForPublisher: () => true,
    decided: () => undefined,
    createLiveStream: (request, publicName, onListenerError) =>
      new LiveStream(request, onListenerError, undefined, undefined, { publicName }),
    claim: (publisher, stream) =>
      registry.claim(stream.key, publisher as ReturnType<typeof registered>, now).claimed,
    liveStream: () => undefined,
    streamStarted: () => undefined,
    addPlayer: () => undefined,
  };
  return {
    subject: new Admission(deps),
    registry,
    setNow: (ms: number) => (now = ms),
  };
}

function publishAs(subject: Admission, publisher: RtmpSession, key: string) {
  return new Promise<PublishAdmission>((resolve) =>
    subject.publish(publisher, publishRequest({ streamName: key }), applicant(), resolve),
  );
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
    const notWaiting = admission(StreamVerdicts.accept(), { waits: false });
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

  describe('a public name (StreamVerdicts.accept({ name }))', () => {
    it('creates the stream under it: name and key carry it, the request keeps the key', async () => {
      const { subject, decisions } = admission(StreamVerdicts.accept({ name: 'alice' }));
      const { outcome } = await publish(subject, true, publishRequest({ streamName: 's3cret' }));
      if (outcome.outcome !== 'admitted') throw new Error(`not admitted: ${outcome.outcome}`);
      expect(outcome.stream).toMatchObject({
        name: 'alice',
        key: 'live/alice',
        publicName: 'alice',
        label: '***(4)/alice',
      });
      expect(outcome.stream.request.streamName).toBe('s3cret');
      expect(decisions).toEqual([{ verdict: { accepted: true, name: 'alice' }, abandoned: false }]);
    });

    it('leaves a stream accepted without one under the name it was published with, unnamed', async () => {
      const { subject } = admission(StreamVerdicts.accept());
      const { outcome } = await publish(subject, true, publishRequest({ streamName: 's3cret' }));
      if (outcome.outcome !== 'admitted') throw new Error(`not admitted: ${outcome.outcome}`);
      expect(outcome.stream).toMatchObject({ name: 's3cret', key: 'live/s3cret' });
      expect(outcome.stream.publicName).toBeUndefined();
      expect(outcome.stream.label).toBe('***(4)/***(6)');
    });

    it.each([
      ['an empty name', { accepted: true as const, name: '' }],
      ['a name with a slash', StreamVerdicts.accept({ name: 'live/alice' })],
      ['a name with a control character', StreamVerdicts.accept({ name: 'alice\n' })],
      ['name: undefined', StreamVerdicts.accept({ name: undefined })],
      ['a name that is not a string', { accepted: true, name: 42 } as unknown as StreamVerdict],
    ])(
      'refuses a publish accepted under %s, logging RTMP_ERR_VERIFIER_INVALID_NAME',
      async (_, verdict) => {
        const errors: string[] = [];
        const logger = { ...silent, error: (line: string) => errors.push(line) };
        const verdicts = new VerdictWithTimeout(() => verdict, 1_000, logger, ['live']);
        const decided = await verdicts.verdict(
          publishRequest({ streamName: 's3cret' }),
          new AbortController().signal,
        );
        expect(decided).toEqual(StreamVerdicts.reject('Verification failed.'));
        expect(errors).toEqual([
          expect.stringMatching(
            /^RTMP_ERR_VERIFIER_INVALID_NAME: the verifier accepted live\/\*\*\*\(6\) under an invalid public name \(it .+\): rejected$/,
          ),
        ]);
        expect(errors.join('\n')).not.toContain('s3cret');
      },
    );

    it('ignores a name in the verdict of a play, valid or not: a player plays what it asked for', async () => {
      for (const name of ['alice', 'not/valid']) {
        const verdicts = new VerdictWithTimeout(
          () => StreamVerdicts.accept({ name }),
          1_000,
          silent,
          undefined,
        );
        const request = { ...publishRequest({ streamName: 'bob' }), action: 'play' as const };
        expect(await verdicts.verdict(request, new AbortController().signal)).toEqual({
          accepted: true,
        });
      }
    });

    it('admits a play of a live named stream, reporting its public name for the logs', async () => {
      const live = new LiveStream(
        publishRequest({ streamName: 's3cret' }),
        () => undefined,
        undefined,
        undefined,
        {
          publicName: 'alice',
        },
      );
      const { subject } = admission(StreamVerdicts.accept(), { live });
      const outcome = await new Promise<PlayAdmission>((resolve) =>
        subject.play(
          { ...publishRequest({ streamName: 'alice' }), action: 'play' },
          applicant(),
          resolve,
        ),
      );
      expect(outcome).toMatchObject({ outcome: 'admitted', publicName: 'alice' });
    });

    it('holds one publisher per public name: a second key named alike is refused as Already publishing', async () => {
      const { subject, registry } = registryAdmission({ s3cret: 'alice', k2: 'alice', k3: 'bob' });
      const first = registered('first');
      const second = registered('second');
      expect((await publishAs(subject, first, 's3cret')).outcome).toBe('admitted');
      expect(await publishAs(subject, second, 'k2')).toEqual({
        outcome: 'refused',
        refusal: { accepted: false, reason: 'Already publishing', code: 'BadName' },
        publicName: 'alice',
      });
      expect(registry.get('live/alice')).toBe(first);
      expect(registry.get('live/s3cret')).toBeUndefined();
      // Another public name is another stream.
      expect((await publishAs(subject, registered('third'), 'k3')).outcome).toBe('admitted');
      expect([...registry.keys()]).toEqual(['live/alice', 'live/bob']);
    });

    it('lets a second key named alike take over from a stale publisher of that name', async () => {
      const { subject, registry, setNow } = registryAdmission(
        { s3cret: 'alice', k2: 'alice' },
        5_000,
      );
      const stale = registered('stale', 0);
      expect((await publishAs(subject, stale, 's3cret')).outcome).toBe('admitted');
      setNow(6_000);
      const newcomer = registered('newcomer', 6_000);
      expect((await publishAs(subject, newcomer, 'k2')).outcome).toBe('admitted');
      expect(registry.get('live/alice')).toBe(newcomer);
      expect(stale.evictions).toEqual(['replaced by a new publisher after 6000 ms without media']);
    });

    it('keeps a key published without a name apart from the public name it shares', async () => {
      // The key `alice`, unnamed, is the stream live/alice too: one namespace of stream names.
      const { subject } = registryAdmission({ s3cret: 'alice' });
      expect((await publishAs(subject, registered('named'), 's3cret')).outcome).toBe('admitted');
      expect((await publishAs(subject, registered('unnamed'), 'alice')).outcome).toBe('refused');
    });
  });
});
