import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { StreamEnd } from '../server/live-stream';
import { StreamVerdicts } from '../server/stream-request';
import { RtmpServer } from '../server/rtmp-server';
import { RtmpClientError } from '../client/rtmp-client.error';
import { DEFAULT_RELAY_BACKOFF } from './retry-backoff';
import { StreamRelay } from './stream-relay';
import { publishClients } from './testing/fake-publish-client';
import { FakeSource } from './testing/fake-relay-source';
import {
  audioFrame,
  audioHeader,
  interFrame,
  keyFrame,
  kindOf,
  metadataPacket,
  videoHeader,
} from './testing/relay-packets';
import { RELAY_URL, settle, useRelayHarness } from './testing/relay-harness';

/*
 * The relay's lifecycle: connecting, retries, stopping. What goes out on a connection is in
 * relay-sender*.spec.ts; a stalled destination and ReconnectRequests in stream-relay.*.spec.ts.
 * The push client is a fake the test drives (testing/fake-publish-client.ts); the last block
 * relays to a real RtmpServer over loopback with the real client.
 */

jest.mock('../client/rtmp-publish-client', () =>
  jest.requireActual('./testing/fake-publish-client').publishClientModuleWithFakes(),
);

describe('StreamRelay', () => {
  const { fakes, relays, relay, statusesOf, lastClient } = useRelayHarness();

  describe('connecting', () => {
    it('connects at once to the destination URL and goes live on Publish.Start', async () => {
      const subject = relay(new FakeSource());
      const statuses = statusesOf(subject);
      expect(fakes).toHaveLength(1);
      expect(lastClient().options.url).toBe(RELAY_URL);
      expect(statuses.map((s) => s.state)).toEqual(['connecting']);
      lastClient().accept();
      await settle();
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
      expect(subject.status).toEqual({ state: 'live' });
      expect(subject.destination).toBe('rtmp://destination.test:1935/live/***(14)');
    });

    it('throws at once on a bad URL, before connecting', () => {
      expect(() => new StreamRelay(new FakeSource(), 'http://x/live/key')).toThrow(RtmpClientError);
      expect(fakes).toHaveLength(0);
    });
  });

  describe('retrying with exponential backoff and jitter', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

    /** Fails `count` connection attempts in a row; returns the delays the relay announced. */
    function failAttempts(subject: StreamRelay, count: number): number[] {
      const delays: number[] = [];
      for (let i = 0; i < count; i += 1) {
        lastClient().fail(new RtmpClientError(RtmpErrorCode.ClientConnectFailed, 'refused'));
        const status = subject.status;
        expect(status.state).toBe('retrying');
        delays.push(status.retryInMs as number);
        const clientsBefore = fakes.length;
        jest.advanceTimersByTime((status.retryInMs as number) - 1);
        expect(fakes).toHaveLength(clientsBefore);
        jest.advanceTimersByTime(1);
        expect(fakes).toHaveLength(clientsBefore + 1);
        expect(subject.status.state).toBe('connecting');
      }
      return delays;
    }

    it('multiplies the delay by `multiplier` up to `maxDelayMs` (no jitter at random 0.5)', () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { backoff, random: () => 0.5 });
      expect(failAttempts(subject, 7)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    });

    it('keeps each delay within ±jitter of its base', () => {
      jest.useFakeTimers();
      const draws = [0, 0.999999, 0.25, 0.75, 0, 0.999999];
      const subject = relay(new FakeSource(), { backoff, random: () => draws.shift() as number });
      const delays = failAttempts(subject, 6);
      const bases = [100, 200, 400, 800, 1_000, 1_000];
      expect(delays).toEqual([80, 240, 360, 880, 800, 1_200]);
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(bases[i] * (1 - backoff.jitter));
        expect(delay).toBeLessThanOrEqual(bases[i] * (1 + backoff.jitter));
      });
    });

    it('reports the error with each retry', () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { backoff, random: () => 0.5 });
      const statuses = statusesOf(subject);
      const error = new RtmpClientError(RtmpErrorCode.ClientClosed, 'the server closed');
      lastClient().fail(error);
      expect(statuses.at(-1)).toEqual({ state: 'retrying', error, retryInMs: 100 });
    });

    it('starts again from the first delay after a successful connection, and counts reconnects', async () => {
      jest.useFakeTimers();
      const source = new FakeSource();
      const subject = relay(source, { backoff, random: () => 0.5 });
      expect(failAttempts(subject, 3)).toEqual([100, 200, 400]);
      lastClient().accept();
      await settle();
      expect(subject.status.state).toBe('live');
      expect(subject.counters.reconnects).toBe(0);
      expect(failAttempts(subject, 2)).toEqual([100, 200]);
      lastClient().accept();
      await settle();
      expect(subject.counters.reconnects).toBe(1);
    });

    it('resumes on a keyframe after a reconnection, sending the cached headers first', async () => {
      jest.useFakeTimers();
      const source = new FakeSource();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      relay(source, { backoff, random: () => 0.5 });
      lastClient().accept();
      await settle();
      source.emit(keyFrame(0, 1));
      lastClient().fail(new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost'));
      source.emit(interFrame(40, 2)); // dropped: not connected
      jest.advanceTimersByTime(100);
      lastClient().accept();
      await settle();
      source.emit(interFrame(80, 3), keyFrame(120, 4));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(audioHeader()),
        kindOf(keyFrame(120, 4)),
      ]);
    });

    it('uses the default backoff when none is given', () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { random: () => 0.5 });
      expect(failAttempts(subject, 2)).toEqual([
        DEFAULT_RELAY_BACKOFF.initialDelayMs,
        DEFAULT_RELAY_BACKOFF.initialDelayMs * DEFAULT_RELAY_BACKOFF.multiplier,
      ]);
    });
  });

  describe('stopping', () => {
    it('is idempotent: one close, one stopped status, and every call waits for the close', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      const statuses = statusesOf(subject);
      const client = lastClient();
      client.accept();
      await settle();
      let release: () => void = () => undefined;
      client.closeGate = new Promise((resolve) => (release = resolve));
      let firstDone = false;
      let secondDone = false;
      const first = subject.stop().then(() => (firstDone = true));
      const second = subject.stop().then(() => (secondDone = true));
      await settle();
      expect([firstDone, secondDone]).toEqual([false, false]);
      release();
      await Promise.all([first, second]);
      await subject.stop();
      expect(client.closeCalls).toBe(1);
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);
      expect(source.listeners).toBe(0);
    });

    it('stops when the source ends, and never reconnects', async () => {
      jest.useFakeTimers();
      const source = new FakeSource();
      const subject = relay(source, { random: () => 0.5 });
      const statuses = statusesOf(subject);
      lastClient().accept();
      await settle();
      source.end();
      await settle();
      expect(lastClient().closeCalls).toBe(1);
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);
      expect(source.listeners).toBe(0);
      jest.advanceTimersByTime(60_000);
      expect(fakes).toHaveLength(1);
    });

    it('cancels a pending retry, and keeps the last error in the stopped status', async () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { random: () => 0.5 });
      const error = new RtmpClientError(RtmpErrorCode.ClientConnectFailed, 'refused');
      lastClient().fail(error);
      await subject.stop();
      expect(subject.status).toEqual({ state: 'stopped', error });
      jest.advanceTimersByTime(60_000);
      expect(fakes).toHaveLength(1);
    });

    it('ignores packets after it stopped', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      lastClient().accept();
      await settle();
      await subject.stop();
      source.emit(keyFrame(0));
      expect(lastClient().sent).toEqual([]);
      expect(subject.counters.droppedFrames).toBe(0);
    });
  });

  describe('with a real RtmpServer as the destination', () => {
    let server: RtmpServer;
    let port: number;

    beforeEach(async () => {
      publishClients.fake = false;
      server = new RtmpServer(
        { port: 0, host: '127.0.0.1' },
        {
          verifyRequest: () => StreamVerdicts.accept(),
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        },
      );
      port = (await server.listen()).port;
    });

    afterEach(async () => {
      await Promise.all(relays.map((r) => r.stop()));
      await server.close();
    });

    it('publishes metadata and headers, then media from the first keyframe, and unpublishes at the end', async () => {
      const source = new FakeSource();
      source.metadata = metadataPacket();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      const arrived: string[] = [];
      const ended = new Promise<StreamEnd>((resolve) =>
        server.onStreamStart((stream) => {
          stream.onPacket((packet) =>
            arrived.push(
              packet.type === 'metadata'
                ? `metadata:${packet.name}`
                : `${kindOf(packet)}@${packet.timestamp}`,
            ),
          );
          stream.onEnd(resolve);
        }),
      );
      const subject = new StreamRelay(source, `rtmp://127.0.0.1:${port}/live/relayed`);
      relays.push(subject);
      await new Promise<void>((resolve) =>
        subject.onStatus((status) => status.state === 'live' && resolve()),
      );
      source.emit(interFrame(0, 1), audioFrame(0, 2), keyFrame(40, 3), audioFrame(46, 4));
      source.emit(interFrame(80, 5));
      const stopped = new Promise<void>((resolve) =>
        subject.onStatus((status) => status.state === 'stopped' && resolve()),
      );
      source.end();
      expect(await ended).toEqual({ reason: 'unpublished' });
      await stopped;
      expect(arrived).toEqual([
        'metadata:onMetaData',
        `${kindOf(videoHeader())}@0`,
        `${kindOf(audioHeader())}@0`,
        `${kindOf(keyFrame(40, 3))}@40`,
        `${kindOf(audioFrame(46, 4))}@46`,
        `${kindOf(interFrame(80, 5))}@80`,
      ]);
      expect(subject.status.state).toBe('stopped');
      expect(subject.counters).toMatchObject({ frames: 5, droppedFrames: 2, reconnects: 0 });
    });
  });
});
