import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { LiveStream } from '../server/live-stream';
import { AudioPacket, MediaPacket, VideoPacket } from '../media/media-packet';
import { multitrackVideoPacket, publishRequest } from '../media/testing/media-packet.fixtures';
import { RtmpClientError } from '../client/rtmp-client.error';
import { FakeClient } from './testing/fake-publish-client';
import {
  audioFrame,
  audioHeader,
  interFrame,
  keyFrame,
  kindOf,
  metadataPacket,
  videoHeader,
} from './testing/relay-packets';
import { settle, useRelayHarness } from './testing/relay-harness';

/*
 * A relay that connects while its source (a LiveStream) has a GOP cached starts with that GOP,
 * after the configuration and before live media (RelaySender): whole and within the client's
 * queue bound, or not at all and then at the next keyframe; after a reconnection or a followed
 * ReconnectRequest too; and it counts what it missed. Driven through StreamRelay with a fake
 * push client (testing/).
 */

jest.mock('../client/rtmp-publish-client', () =>
  jest.requireActual('./testing/fake-publish-client').publishClientModuleWithFakes(),
);

describe('RelaySender (through StreamRelay)', () => {
  const { fakes, relay, lastClient } = useRelayHarness();

  describe('starting from the cached GOP (a LiveStream as the source)', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

    /** A live stream as the server makes one, its GOP cache on or off. */
    function liveStream(gopCache = true): LiveStream {
      const limits = { enabled: gopCache, maxFrames: 1_000, maxBytes: 1_000_000 };
      return new LiveStream(
        publishRequest(),
        (error) => {
          throw error;
        },
        limits,
      );
    }

    function deliver(stream: LiveStream, ...packets: MediaPacket[]): void {
      for (const packet of packets) stream.deliver(packet);
    }

    /** `kind@timestamp`, as `sentOf` lists what a fake client got. */
    const at = (packet: VideoPacket | AudioPacket): string =>
      `${kindOf(packet)}@${packet.timestamp}`;
    const sentOf = (client: FakeClient): string[] =>
      client.sent.map((s) => `${s.kind}@${s.timestamp}`);

    it('sends metadata, the decoder configuration, every cached frame in order, then live frames, none twice', async () => {
      const stream = liveStream();
      deliver(stream, metadataPacket(), videoHeader(), audioHeader());
      deliver(stream, keyFrame(0, 1), audioFrame(0, 2));
      const subject = relay(stream);
      // While the relay connects: not sent yet, but still in the cache.
      deliver(stream, interFrame(40, 3), audioFrame(46, 4));
      const client = lastClient();
      client.accept();
      await settle();
      deliver(stream, interFrame(80, 5), keyFrame(120, 6), audioFrame(125, 7));
      expect(sentOf(client)).toEqual([
        'metadata@0',
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(0, 1)),
        at(audioFrame(0, 2)),
        at(interFrame(40, 3)),
        at(audioFrame(46, 4)),
        at(interFrame(80, 5)),
        at(keyFrame(120, 6)),
        at(audioFrame(125, 7)),
      ]);
      // The cached GOP is forced like the configuration (it was measured against
      // maxQueuedBytes first); live frames are not.
      expect(client.sent.map((s) => s.force)).toEqual([
        ...Array<boolean>(7).fill(true),
        false,
        false,
        false,
      ]);
      expect(subject.counters).toMatchObject({ frames: 9, droppedFrames: 0, reconnects: 0 });
    });

    it('resumes from the cached GOP after a reconnection; frames missed meanwhile count as dropped once they left the cache', async () => {
      jest.useFakeTimers();
      const stream = liveStream();
      deliver(stream, videoHeader(), audioHeader());
      const subject = relay(stream, { backoff, random: () => 0.5 });
      const first = lastClient();
      first.accept();
      await settle();
      deliver(stream, keyFrame(0, 1), interFrame(40, 2));
      first.fail(new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost'));
      deliver(stream, audioFrame(50, 3), interFrame(80, 4)); // retrying
      jest.advanceTimersByTime(backoff.initialDelayMs);
      const second = lastClient();
      deliver(stream, interFrame(120, 5)); // connecting again
      expect(subject.counters.droppedFrames).toBe(0);
      second.accept();
      await settle();
      deliver(stream, interFrame(160, 6));
      // The GOP again from its keyframe: the frames the first connection carried, those missed.
      expect(sentOf(second)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(0, 1)),
        at(interFrame(40, 2)),
        at(audioFrame(50, 3)),
        at(interFrame(80, 4)),
        at(interFrame(120, 5)),
        at(interFrame(160, 6)),
      ]);
      expect(subject.counters).toMatchObject({ reconnects: 1, droppedFrames: 0 });

      // Down across a keyframe: what came before it left the cache with its GOP, at once.
      second.fail(new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost again'));
      deliver(stream, interFrame(200, 7), keyFrame(240, 8));
      expect(subject.counters.droppedFrames).toBe(1);
      deliver(stream, audioFrame(250, 9));
      jest.advanceTimersByTime(backoff.initialDelayMs);
      const third = lastClient();
      third.accept();
      await settle();
      expect(sentOf(third)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(240, 8)),
        at(audioFrame(250, 9)),
      ]);
      expect(subject.counters).toMatchObject({ reconnects: 2, droppedFrames: 1 });
    });

    it('with the GOP cache off, starts at the next keyframe and counts every frame it missed', async () => {
      const stream = liveStream(false);
      const subject = relay(stream);
      deliver(stream, metadataPacket(), videoHeader(), audioHeader());
      deliver(stream, keyFrame(0, 1), audioFrame(0, 2));
      const client = lastClient();
      client.accept();
      await settle();
      deliver(stream, interFrame(40, 3), keyFrame(80, 4));
      expect(sentOf(client)).toEqual([
        'metadata@0',
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(80, 4)),
      ]);
      // The two frames missed while connecting and the one skipped waiting for the keyframe;
      // not the configuration, which went out on connecting.
      expect(subject.counters).toMatchObject({ frames: 3, droppedFrames: 3 });
    });

    it('sends the cached GOP whole within maxQueuedBytes or not at all, then starting at the next keyframe', async () => {
      const gop = [keyFrame(0, 1), audioFrame(0, 2), interFrame(40, 3)];
      const needed = [videoHeader(), ...gop].reduce((sum, p) => sum + p.payload.length, 0);
      const cases: [number, string[], number][] = [
        [needed, [...gop, interFrame(80, 4), keyFrame(120, 5)].map(at), 0],
        // A byte short: the GOP's frames are missed, and the one before the next keyframe.
        [needed - 1, [at(keyFrame(120, 5))], 4],
      ];
      for (const [maxQueuedBytes, media, dropped] of cases) {
        fakes.length = 0;
        const stream = liveStream();
        const subject = relay(stream, { maxQueuedBytes });
        deliver(stream, videoHeader(), ...gop);
        const client = lastClient();
        client.accept();
        await settle();
        deliver(stream, interFrame(80, 4), keyFrame(120, 5));
        expect(sentOf(client)).toEqual([at(videoHeader()), ...media]);
        expect(subject.counters.droppedFrames).toBe(dropped);
        await subject.stop();
      }
    });

    it('after following a ReconnectRequest at a keyframe, the new connection starts at that keyframe, from the cache: nothing twice, nothing lost', async () => {
      const stream = liveStream();
      deliver(stream, videoHeader(), audioHeader());
      const subject = relay(stream);
      const first = lastClient();
      first.accept();
      await settle();
      deliver(stream, keyFrame(0, 1), interFrame(40, 2));
      first.requestReconnect(undefined);
      deliver(stream, audioFrame(50, 3), interFrame(80, 4)); // still to the first connection
      deliver(stream, keyFrame(120, 5), audioFrame(130, 6)); // the first one ends before this keyframe
      await settle();
      expect(fakes).toHaveLength(2);
      const second = lastClient();
      deliver(stream, interFrame(160, 7)); // connecting
      second.accept();
      await settle();
      deliver(stream, interFrame(200, 8));
      expect(sentOf(first)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(0, 1)),
        at(interFrame(40, 2)),
        at(audioFrame(50, 3)),
        at(interFrame(80, 4)),
      ]);
      expect(sentOf(second)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(120, 5)),
        at(audioFrame(130, 6)),
        at(interFrame(160, 7)),
        at(interFrame(200, 8)),
      ]);
      expect(subject.counters).toMatchObject({ reconnects: 1, droppedFrames: 0 });
    });

    it("starts only at a keyframe of the stream's key track (multitrack: the first keyframe's track), as players do", async () => {
      const stream = liveStream(false);
      deliver(stream, multitrackVideoPacket(0, 0, 'key')); // track 0 becomes the key track
      relay(stream);
      const client = lastClient();
      client.accept();
      await settle();
      const secondTrack = multitrackVideoPacket(40, 1, 'key');
      const firstTrack = multitrackVideoPacket(80, 0, 'key');
      deliver(stream, secondTrack, firstTrack);
      expect(sentOf(client)).toEqual([at(firstTrack)]);
    });
  });
});
