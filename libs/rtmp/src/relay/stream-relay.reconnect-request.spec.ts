import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { StreamRelayError } from './stream-relay.error';
import { FakeSource } from './testing/fake-relay-source';
import { audioFrame, interFrame, keyFrame, kindOf, videoHeader } from './testing/relay-packets';
import { RELAY_URL, settle, useRelayHarness } from './testing/relay-harness';

/*
 * Enhanced RTMP ReconnectRequests from the destination: followed at the next keyframe, where
 * `reconnectRequestHosts` allows, refused (and reported) elsewhere. The push client is a fake
 * the test drives (testing/fake-publish-client.ts).
 */

jest.mock('../client/rtmp-publish-client', () =>
  jest.requireActual('./testing/fake-publish-client').publishClientModuleWithFakes(),
);

describe('StreamRelay', () => {
  const { fakes, relay, lastClient } = useRelayHarness();

  describe('ReconnectRequest (E-RTMP)', () => {
    /** Goes live, sends a keyframe, gets a ReconnectRequest, then the next keyframe. */
    async function requestThenKeyFrame(source: FakeSource, tcUrl: string | undefined) {
      lastClient().accept();
      await settle();
      source.emit(keyFrame(0, 1));
      lastClient().requestReconnect(tcUrl);
      source.emit(keyFrame(40, 2));
      await settle();
    }

    it('keeps sending up to the next keyframe, then reconnects to the new tcUrl with the same name', async () => {
      const source = new FakeSource();
      source.sequenceHeaders = { video: videoHeader() };
      const followed: [string, string][] = [];
      const subject = relay(source, {
        reconnectRequestHosts: ['other.test'],
        onReconnectFollowed: (from, to) => followed.push([from, to]),
      });
      const first = lastClient();
      first.accept();
      await settle();
      source.emit(keyFrame(0, 1), interFrame(40, 2));
      first.requestReconnect('rtmp://other.test:1936/app2/');
      source.emit(interFrame(80, 3), audioFrame(90, 4)); // still to the first destination
      expect(fakes).toHaveLength(1);
      source.emit(keyFrame(120, 5)); // the first connection ends before this keyframe
      await settle();
      expect(first.closeCalls).toBe(1);
      expect(first.sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(keyFrame(0, 1)),
        kindOf(interFrame(40, 2)),
        kindOf(interFrame(80, 3)),
        kindOf(audioFrame(90, 4)),
      ]);
      expect(fakes).toHaveLength(2);
      const second = lastClient();
      expect(second.options.url).toBe('rtmp://other.test:1936/app2/relay-key-1234');
      second.accept();
      await settle();
      source.emit(interFrame(160, 6), keyFrame(200, 7));
      expect(second.sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(keyFrame(200, 7)),
      ]);
      expect(subject.counters.reconnects).toBe(1);
      expect(subject.destination).toBe('rtmp://other.test:1936/app2/***(14)');
      expect(followed).toEqual([
        ['rtmp://destination.test:1935/live/***(14)', 'rtmp://other.test:1936/app2/***(14)'],
      ]);
    });

    it('follows a request to the same host (another port, another app, upgraded to rtmps)', async () => {
      const source = new FakeSource();
      const followed: string[] = [];
      const subject = relay(source, { onReconnectFollowed: (_from, to) => followed.push(to) });
      await requestThenKeyFrame(source, 'rtmps://Destination.TEST:8443/edge/');
      expect(lastClient().options.url).toBe('rtmps://Destination.TEST:8443/edge/relay-key-1234');
      expect(subject.destination).toBe('rtmps://Destination.TEST:8443/edge/***(14)');
      expect(followed).toEqual(['rtmps://Destination.TEST:8443/edge/***(14)']);
    });

    it('refuses a request to another host: reports it with the key masked and reconnects where it was', async () => {
      const source = new FakeSource();
      const refused: StreamRelayError[] = [];
      const followed: string[] = [];
      const subject = relay(source, {
        onReconnectRefused: (error) => refused.push(error),
        onReconnectFollowed: (_from, to) => followed.push(to),
      });
      await requestThenKeyFrame(source, 'rtmp://elsewhere.test/live');
      expect(fakes).toHaveLength(2);
      expect(lastClient().options.url).toBe(RELAY_URL);
      expect(subject.destination).toBe('rtmp://destination.test:1935/live/***(14)');
      expect(followed).toEqual([]);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(StreamRelayError);
      expect(refused[0].code).toBe(RtmpErrorCode.RelayReconnectRefused);
      expect(refused[0].message).toContain('rtmp://elsewhere.test:1935/live/***(14)');
      expect(refused[0].message).not.toContain('relay-key-1234');
    });

    it('refuses a request from rtmps:// to rtmp://, even to the same host or an allowed one', async () => {
      const secureUrl = 'rtmps://destination.test/live/relay-key-1234';
      for (const target of ['rtmp://destination.test/live', 'rtmp://other.test:1935/live']) {
        fakes.length = 0;
        const source = new FakeSource();
        const refused: StreamRelayError[] = [];
        const subject = relay(
          source,
          { reconnectRequestHosts: ['other.test'], onReconnectRefused: (e) => refused.push(e) },
          secureUrl,
        );
        await requestThenKeyFrame(source, target);
        expect(fakes.map((fake) => fake.options.url)).toEqual([secureUrl, secureUrl]);
        expect(subject.destination).toBe('rtmps://destination.test:443/live/***(14)');
        expect(refused.map((error) => error.code)).toEqual([RtmpErrorCode.RelayReconnectRefused]);
        expect(refused[0].message).toMatch(/rtmps:\/\/ to rtmp:\/\//);
        await subject.stop();
      }
    });

    it('follows a request to a host the reconnectRequestHosts predicate allows, and only those', async () => {
      const allowEdges = (host: string) => host.endsWith('.cdn.test');
      const secureUrl = 'rtmps://origin.cdn.test/live/relay-key-1234';
      const cases: [string, string][] = [
        ['rtmps://edge-2.cdn.test/live', 'rtmps://edge-2.cdn.test/live/relay-key-1234'],
        ['rtmps://cdn.test.evil.test/live', secureUrl],
      ];
      for (const [target, expected] of cases) {
        fakes.length = 0;
        const source = new FakeSource();
        relay(source, { reconnectRequestHosts: allowEdges }, secureUrl);
        await requestThenKeyFrame(source, target);
        expect(fakes.map((fake) => fake.options.url)).toEqual([secureUrl, expected]);
      }
    });

    it('reconnects to the same destination when the request names none', async () => {
      const source = new FakeSource();
      relay(source);
      await requestThenKeyFrame(source, undefined);
      expect(fakes).toHaveLength(2);
      expect(lastClient().options.url).toBe(RELAY_URL);
    });

    it('reconnects to the same destination when the tcUrl is not an rtmp(s) URL it can use', async () => {
      const source = new FakeSource();
      relay(source);
      await requestThenKeyFrame(source, '/relative/app');
      expect(fakes).toHaveLength(2);
      expect(lastClient().options.url).toBe(RELAY_URL);
    });
  });
});
