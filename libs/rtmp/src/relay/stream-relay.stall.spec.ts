import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { StreamRelay } from './stream-relay';
import { StreamRelayError } from './stream-relay.error';
import { FakeSource } from './testing/fake-relay-source';
import { interFrame, keyFrame } from './testing/relay-packets';
import { RELAY_URL, settle, useRelayHarness } from './testing/relay-harness';

/*
 * A destination whose send queue stays full (SendStallWatch in StreamRelay): reported as
 * stalled after `stallTimeoutMs`, dropped and reconnected. The push client is a fake whose
 * `refuse` plays the full queue (testing/fake-publish-client.ts).
 */

jest.mock('../client/rtmp-publish-client', () =>
  jest.requireActual('./testing/fake-publish-client').publishClientModuleWithFakes(),
);

describe('StreamRelay', () => {
  const { fakes, relay, lastClient } = useRelayHarness();

  describe('a destination that stops reading (stallTimeoutMs)', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

    /** A live relay whose destination has just refused a frame (its queue is full). */
    async function liveThenFull(options: ConstructorParameters<typeof StreamRelay>[2] = {}) {
      const source = new FakeSource();
      const subject = relay(source, { backoff, random: () => 0.5, ...options });
      const client = lastClient();
      client.accept();
      await settle();
      source.emit(keyFrame(0, 1));
      client.refuse = true;
      source.emit(interFrame(40, 2)); // refused: the clock starts
      return { source, subject, client };
    }

    it('reports RTMP_ERR_RELAY_STALLED after stallTimeoutMs of a full queue, then reconnects with its backoff', async () => {
      jest.useFakeTimers();
      const { source, subject, client } = await liveThenFull({ stallTimeoutMs: 500 });
      jest.advanceTimersByTime(200);
      source.emit(interFrame(80, 3)); // refused again: the clock does not start over
      jest.advanceTimersByTime(299);
      expect(subject.status.state).toBe('live');
      expect(client.abortedWith).toBeUndefined();
      jest.advanceTimersByTime(1);
      expect(client.abortedWith).toBeInstanceOf(StreamRelayError);
      const status = subject.status;
      expect(status).toMatchObject({ state: 'retrying', retryInMs: backoff.initialDelayMs });
      expect((status.error as StreamRelayError).code).toBe(RtmpErrorCode.RelayStalled);
      expect(status.error?.message).toContain('rtmp://destination.test:1935/live/***(14)');
      expect(status.error?.message).not.toContain('relay-key-1234');
      jest.advanceTimersByTime(backoff.initialDelayMs);
      expect(fakes).toHaveLength(2);
      lastClient().accept();
      await settle();
      expect(subject.status.state).toBe('live');
      expect(subject.counters.reconnects).toBe(1);
    });

    it('notices the stall when the source sends nothing more after the queue filled', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull({ stallTimeoutMs: 500 });
      jest.advanceTimersByTime(500);
      expect((subject.status.error as StreamRelayError).code).toBe(RtmpErrorCode.RelayStalled);
    });

    it('waits 10 s by default', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull();
      jest.advanceTimersByTime(9_999);
      expect(subject.status.state).toBe('live');
      jest.advanceTimersByTime(1);
      expect(subject.status.state).toBe('retrying');
    });

    it('reports no stall while the queue drains, and times a new stall from its own start', async () => {
      jest.useFakeTimers();
      const { source, subject, client } = await liveThenFull({ stallTimeoutMs: 500 });
      jest.advanceTimersByTime(300);
      client.refuse = false; // the destination read: frames go out again (from a keyframe)
      source.emit(interFrame(80, 3), keyFrame(120, 4));
      jest.advanceTimersByTime(1_000);
      expect(subject.status.state).toBe('live');
      // Full again, then drained while the source was silent: still no stall.
      client.refuse = true;
      source.emit(interFrame(160, 5));
      jest.advanceTimersByTime(300);
      client.refuse = false;
      jest.advanceTimersByTime(1_000);
      expect(subject.status.state).toBe('live');
      // Full again: a whole stallTimeoutMs from this refusal.
      client.refuse = true;
      source.emit(keyFrame(200, 6));
      jest.advanceTimersByTime(499);
      expect(subject.status.state).toBe('live');
      jest.advanceTimersByTime(1);
      expect(subject.status.state).toBe('retrying');
      expect(client.abortedWith).toBeInstanceOf(StreamRelayError);
    });

    it('stop() while the queue is full leaves no timer behind', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull({ stallTimeoutMs: 500 });
      await subject.stop();
      expect(jest.getTimerCount()).toBe(0);
      expect(subject.status.state).toBe('stopped');
    });

    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])(
      'refuses stallTimeoutMs %p at once, before connecting',
      (stallTimeoutMs) => {
        expect(() => new StreamRelay(new FakeSource(), RELAY_URL, { stallTimeoutMs })).toThrow(
          /stallTimeoutMs/,
        );
        expect(fakes).toHaveLength(0);
      },
    );

    it('stallTimeoutMs 0 turns the check off', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull({ stallTimeoutMs: 0 });
      jest.advanceTimersByTime(600_000);
      expect(subject.status.state).toBe('live');
    });
  });
});
