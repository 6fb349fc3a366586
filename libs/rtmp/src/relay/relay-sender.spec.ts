import { colorInfoPacket } from '../media/testing/media-packet.fixtures';
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
import { settle, useRelayHarness } from './testing/relay-harness';

/*
 * What a relay sends on a connection (RelaySender): the configuration on connecting, then live
 * media through the keyframe gate, and the counters. Driven through StreamRelay, as the relay
 * drives it, with a fake push client that records what it was handed (testing/). Starting
 * from a source's cached GOP is in relay-sender.cached-gop.spec.ts.
 */

jest.mock('../client/rtmp-publish-client', () =>
  jest.requireActual('./testing/fake-publish-client').publishClientModuleWithFakes(),
);

describe('RelaySender (through StreamRelay)', () => {
  const { relay, lastClient } = useRelayHarness();

  describe('on connecting', () => {
    it("sends the source's decoder configuration (every track, colorInfo) when it has one", async () => {
      const source = new FakeSource();
      source.metadata = metadataPacket();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      const color = colorInfoPacket(0);
      source.decoderConfiguration = [color, videoHeader(), audioHeader()];
      relay(source);
      lastClient().accept();
      await settle();
      expect(lastClient().sent).toEqual([
        { kind: 'metadata', timestamp: 0, force: true },
        { kind: kindOf(color), timestamp: 0, force: true },
        { kind: kindOf(videoHeader()), timestamp: 0, force: true },
        { kind: kindOf(audioHeader()), timestamp: 0, force: true },
      ]);
      // A colorInfo arriving while the relay waits for a keyframe is sent, forced, at once.
      const changed = colorInfoPacket(40, 600);
      source.emit(changed);
      expect(lastClient().sent.at(-1)).toEqual({
        kind: kindOf(changed),
        timestamp: 40,
        force: true,
      });
    });

    it('sends the cached metadata and sequence headers first, forced, in that order', async () => {
      const source = new FakeSource();
      source.metadata = metadataPacket();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      const subject = relay(source);
      lastClient().accept();
      await settle();
      expect(lastClient().sent).toEqual([
        { kind: 'metadata', timestamp: 0, force: true },
        { kind: kindOf(videoHeader()), timestamp: 0, force: true },
        { kind: kindOf(audioHeader()), timestamp: 0, force: true },
      ]);
      expect(subject.counters).toEqual({
        bytes:
          source.metadata.payload.length +
          videoHeader().payload.length +
          audioHeader().payload.length,
        frames: 2,
        reconnects: 0,
        droppedFrames: 0,
      });
    });
  });

  describe('keyframe gating', () => {
    it('sends nothing while not connected, and counts the frames (not metadata or configuration) as dropped', () => {
      const source = new FakeSource();
      const subject = relay(source);
      source.emit(metadataPacket(), videoHeader(), keyFrame(0), audioFrame(0), interFrame(40));
      expect(lastClient().sent).toEqual([]);
      // The source has no GOP cache: none of the three frames can be sent later. The latest
      // metadata and sequence headers go out on connecting, whenever they came.
      expect(subject.counters.droppedFrames).toBe(3);
    });

    it('starts on a keyframe: earlier frames are dropped, sequence headers pass', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(videoHeader(40), audioHeader(40), audioFrame(40, 1), interFrame(40, 2));
      source.emit(keyFrame(80, 3), audioFrame(80, 4), interFrame(120, 5));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(audioHeader()),
        kindOf(keyFrame(80, 3)),
        kindOf(audioFrame(80, 4)),
        kindOf(interFrame(120, 5)),
      ]);
      expect(lastClient().sent.map((s) => s.timestamp)).toEqual([40, 40, 80, 80, 120]);
      expect(lastClient().sent.map((s) => s.force)).toEqual([true, true, false, false, false]);
      expect(subject.counters).toMatchObject({ frames: 5, droppedFrames: 2 });
    });

    it("live before the stream's first frame: sends every frame from the first, the audio before the first keyframe too", async () => {
      const source = new FakeSource();
      source.mediaStarted = false;
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(videoHeader(0), audioHeader(0), audioFrame(0, 1), keyFrame(23, 2));
      source.emit(audioFrame(23, 3), interFrame(56, 4));
      expect(lastClient().sent.map((s) => s.timestamp)).toEqual([0, 0, 0, 23, 23, 56]);
      expect(subject.counters).toMatchObject({ frames: 6, droppedFrames: 0 });
    });

    it("live before the stream's first frame: video that does not start with a keyframe still waits for one", async () => {
      const source = new FakeSource();
      source.mediaStarted = false;
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(videoHeader(0), audioFrame(0, 1), interFrame(23, 2), audioFrame(23, 3));
      source.emit(keyFrame(40, 4), audioFrame(46, 5));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(audioFrame(0, 1)),
        kindOf(keyFrame(40, 4)),
        kindOf(audioFrame(46, 5)),
      ]);
      expect(subject.counters.droppedFrames).toBe(2);
    });

    it('video that joins an audio-only start still starts on a keyframe', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(audioFrame(0, 1), interFrame(10, 2), audioFrame(23, 3), keyFrame(40, 4));
      source.emit(interFrame(80, 5), audioFrame(80, 6));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(audioFrame(0, 1)),
        kindOf(keyFrame(40, 4)),
        kindOf(interFrame(80, 5)),
        kindOf(audioFrame(80, 6)),
      ]);
      expect(subject.counters.droppedFrames).toBe(2);
    });

    it('starts an audio-only stream on its first audio frame', async () => {
      const source = new FakeSource();
      relay(source);
      lastClient().accept();
      await settle();
      source.emit(audioHeader(0), audioFrame(0, 1), audioFrame(23, 2));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(audioHeader()),
        kindOf(audioFrame(0, 1)),
        kindOf(audioFrame(23, 2)),
      ]);
    });

    it('waits for a keyframe when the stream is known to have video, even before any video frame', async () => {
      const source = new FakeSource();
      source.sequenceHeaders = { video: videoHeader() };
      relay(source);
      lastClient().accept();
      await settle();
      source.emit(audioFrame(0, 1), keyFrame(0, 2));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(keyFrame(0, 2)),
      ]);
    });

    it('after a refused send, drops until the next keyframe; headers pass even while refused', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      const client = lastClient();
      client.accept();
      await settle();
      source.emit(keyFrame(0, 1), interFrame(40, 2));
      client.refuse = true;
      source.emit(interFrame(80, 3)); // refused: the destination is behind
      source.emit(videoHeader(100)); // forced through anyway
      client.refuse = false;
      source.emit(audioFrame(110, 4), interFrame(120, 5)); // still waiting for a keyframe
      source.emit(keyFrame(160, 6), interFrame(200, 7));
      expect(client.sent.map((s) => s.kind)).toEqual([
        kindOf(keyFrame(0, 1)),
        kindOf(interFrame(40, 2)),
        kindOf(videoHeader()),
        kindOf(keyFrame(160, 6)),
        kindOf(interFrame(200, 7)),
      ]);
      expect(subject.counters).toMatchObject({ frames: 5, droppedFrames: 3 });
    });
  });
});
