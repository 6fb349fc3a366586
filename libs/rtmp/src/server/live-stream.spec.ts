import { GopCache } from './gop-cache';
import { GopCacheLimits, LiveStream } from './live-stream';
import { MediaPacket } from '../media/media-packet';
import {
  audioPacket,
  colorInfoPacket,
  metadataPacket,
  multichannelConfigPacket,
  multitrackVideoPacket,
  publishRequest,
  videoPacket,
} from '../media/testing/media-packet.fixtures';

const UNBOUNDED: GopCacheLimits = { enabled: true, maxFrames: 1_000, maxBytes: 1_000_000 };

function liveStream(limits?: GopCacheLimits): LiveStream {
  return new LiveStream(
    publishRequest(),
    (error) => {
      throw error;
    },
    limits,
  );
}

/** `video@ts` / `key@ts` / `audio@ts`: what a cached packet is, for readable expectations. */
function describePacket(packet: MediaPacket): string {
  if (packet.type === 'metadata') return `metadata@${packet.timestamp}`;
  if (packet.type === 'audio') return `audio@${packet.timestamp}`;
  return `${packet.tag.isKeyFrame ? 'key' : 'video'}@${packet.timestamp}`;
}

describe('LiveStream GOP cache', () => {
  it('starts at a video keyframe: media before the first keyframe is not cached', () => {
    const stream = liveStream(UNBOUNDED);
    stream.deliver(videoPacket(0, 'header'));
    stream.deliver(audioPacket(0, true));
    stream.deliver(audioPacket(10));
    stream.deliver(videoPacket(20, 'inter'));
    expect(stream.gopCache).toEqual([]);

    stream.deliver(videoPacket(40, 'key'));
    stream.deliver(audioPacket(45));
    stream.deliver(videoPacket(80, 'inter'));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@40', 'audio@45', 'video@80']);
  });

  it("keeps the audio an encoder sends before its first keyframe, the stream's lead-in, in its first GOP", () => {
    const stream = liveStream(UNBOUNDED);
    stream.deliver(videoPacket(0, 'header'));
    stream.deliver(audioPacket(0, true));
    stream.deliver(audioPacket(0));
    expect(stream.gopCache.map(describePacket)).toEqual(['audio@0']);
    stream.deliver(videoPacket(23, 'key'));
    stream.deliver(audioPacket(23));
    stream.deliver(videoPacket(56, 'inter'));
    expect(stream.gopCache.map(describePacket)).toEqual([
      'audio@0',
      'key@23',
      'audio@23',
      'video@56',
    ]);
    // The next keyframe starts a GOP as usual.
    stream.deliver(videoPacket(2_023, 'key'));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@2023']);
  });

  it('keeps no lead-in for an audio-only stream (no video header), nor once video has started', () => {
    const audioOnly = liveStream(UNBOUNDED);
    audioOnly.deliver(audioPacket(0, true));
    audioOnly.deliver(audioPacket(0));
    audioOnly.deliver(audioPacket(23));
    expect(audioOnly.gopCache).toEqual([]);

    const stream = liveStream(UNBOUNDED);
    stream.deliver(videoPacket(0, 'header'));
    stream.deliver(videoPacket(0, 'key'));
    stream.deliver(videoPacket(1_000, 'key'));
    stream.deliver(audioPacket(1_010));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@1000', 'audio@1010']);
  });

  it('starts a new GOP at each keyframe and keeps sequence headers and metadata out of it', () => {
    const stream = liveStream(UNBOUNDED);
    stream.deliver(videoPacket(0, 'key'));
    stream.deliver(videoPacket(40, 'inter'));
    stream.deliver(videoPacket(1_000, 'key'));
    stream.deliver(metadataPacket(1_010));
    stream.deliver(videoPacket(1_020, 'header'));
    stream.deliver(audioPacket(1_030, true));
    stream.deliver(audioPacket(1_030));
    stream.deliver(videoPacket(1_040, 'inter'));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@1000', 'audio@1030', 'video@1040']);
  });

  it("restarts only at the key track's keyframes in an E-RTMP multitrack stream", () => {
    const stream = liveStream(UNBOUNDED);
    // OBS's layout: track 0 legacy, track 1 as Multitrack, keyframes one after the other.
    stream.deliver(videoPacket(0, 'key'));
    stream.deliver(multitrackVideoPacket(0, 1, 'key'));
    stream.deliver(videoPacket(40, 'inter'));
    stream.deliver(multitrackVideoPacket(40, 1, 'inter'));
    expect(stream.gopCache.map((packet) => packet.payload)).toEqual([
      videoPacket(0, 'key').payload,
      multitrackVideoPacket(0, 1, 'key').payload,
      videoPacket(40, 'inter').payload,
      multitrackVideoPacket(40, 1, 'inter').payload,
    ]);
    // A keyframe of track 1 alone does not start a GOP; track 0's does.
    stream.deliver(multitrackVideoPacket(500, 1, 'key'));
    expect(stream.gopCache).toHaveLength(5);
    stream.deliver(videoPacket(1_000, 'key'));
    stream.deliver(multitrackVideoPacket(1_000, 1, 'key'));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@1000', 'key@1000']);
  });

  it("takes the first keyframe's track as the key track when there is no track 0", () => {
    const stream = liveStream(UNBOUNDED);
    stream.deliver(multitrackVideoPacket(0, 2, 'key'));
    stream.deliver(multitrackVideoPacket(0, 3, 'key'));
    expect(stream.gopCache).toHaveLength(2);
    stream.deliver(multitrackVideoPacket(1_000, 2, 'key'));
    expect(stream.gopCache).toHaveLength(1);
  });

  it('holds copies of views and small payloads: those may be socket memory reused later', () => {
    const stream = liveStream(UNBOUNDED);
    const key = videoPacket(0, 'key');
    const audio = audioPacket(5);
    stream.deliver(key);
    stream.deliver(audio);
    key.payload.fill(0);
    audio.payload.fill(0);
    const cached = stream.gopCache;
    expect(cached.map((packet) => packet.payload)).toEqual([
      videoPacket(0, 'key').payload,
      audioPacket(5).payload,
    ]);
    // Parsed again from the copy: the header and its body view describe the copy.
    expect(cached[0]).toEqual(videoPacket(0, 'key'));
    const [replayedKey] = cached;
    const body =
      replayedKey.type === 'video' && !replayedKey.tag.isMultitrack
        ? replayedKey.tag.body
        : undefined;
    expect(body?.buffer).toBe(replayedKey.payload.buffer);
  });

  it('reports its size without copying', () => {
    const stream = liveStream(UNBOUNDED);
    const key = videoPacket(0, 'key', 300);
    const audio = audioPacket(5);
    stream.deliver(key);
    stream.deliver(audio);
    const replay = jest.spyOn(GopCache.prototype, 'packets');
    expect(stream.gopCacheSize).toEqual({
      messages: 2,
      bytes: key.payload.length + audio.payload.length,
    });
    expect(replay).not.toHaveBeenCalled();
    replay.mockRestore();
  });

  it('is bounded by frames: a GOP that outgrows maxFrames is dropped until the next keyframe', () => {
    const stream = liveStream({ enabled: true, maxFrames: 3, maxBytes: 1_000_000 });
    stream.deliver(videoPacket(0, 'key'));
    stream.deliver(videoPacket(40, 'inter'));
    stream.deliver(audioPacket(50));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@0', 'video@40', 'audio@50']);

    stream.deliver(videoPacket(80, 'inter'));
    expect(stream.gopCache).toEqual([]);
    stream.deliver(videoPacket(120, 'inter'));
    stream.deliver(audioPacket(130));
    expect(stream.gopCache).toEqual([]);

    stream.deliver(videoPacket(1_000, 'key'));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@1000']);
  });

  it('is bounded by bytes: a GOP whose payloads pass maxBytes is dropped until the next keyframe', () => {
    const key = videoPacket(0, 'key', 100);
    const inter = videoPacket(40, 'inter', 100);
    // Room for the keyframe and one inter frame, not two.
    const maxBytes = key.payload.length + inter.payload.length + 50;
    const stream = liveStream({ enabled: true, maxFrames: 1_000, maxBytes });
    stream.deliver(key);
    stream.deliver(inter);
    expect(stream.gopCache).toHaveLength(2);

    stream.deliver(videoPacket(80, 'inter', 100));
    expect(stream.gopCache).toEqual([]);
    stream.deliver(audioPacket(90));
    expect(stream.gopCache).toEqual([]);

    stream.deliver(videoPacket(1_000, 'key', 100));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@1000']);
  });

  it('does not cache a keyframe larger than maxBytes: the byte bound is strict', () => {
    const stream = liveStream({ enabled: true, maxFrames: 1_000, maxBytes: 50 });
    stream.deliver(videoPacket(0, 'key', 100));
    stream.deliver(videoPacket(40, 'inter', 10));
    expect(stream.gopCache).toEqual([]);
    stream.deliver(videoPacket(1_000, 'key', 10));
    expect(stream.gopCache.map(describePacket)).toEqual(['key@1000']);
  });

  it('caches nothing when disabled, or by default', () => {
    for (const stream of [
      liveStream({ enabled: false, maxFrames: 1_000, maxBytes: 1_000_000 }),
      liveStream(),
    ]) {
      stream.deliver(videoPacket(0, 'key'));
      stream.deliver(videoPacket(40, 'inter'));
      stream.deliver(audioPacket(50));
      expect(stream.gopCache).toEqual([]);
    }
  });

  it('is cleared when the stream ends, and takes nothing afterwards', () => {
    const stream = liveStream(UNBOUNDED);
    stream.deliver(videoPacket(0, 'key'));
    stream.deliver(videoPacket(40, 'inter'));
    expect(stream.gopCache).toHaveLength(2);
    stream.end({ reason: 'unpublished' });
    expect(stream.gopCache).toEqual([]);
    stream.deliver(videoPacket(1_000, 'key'));
    expect(stream.gopCache).toEqual([]);
  });
});

describe('LiveStream sequence headers', () => {
  it('keeps the latest E-RTMP colorInfo and MultichannelConfig (copied) out of the GOP, in decoder order', () => {
    const stream = liveStream(UNBOUNDED);
    const firstColor = colorInfoPacket(0, 400);
    const latestColor = colorInfoPacket(40, 1000);
    const channels = multichannelConfigPacket(0, 6);
    const header = videoPacket(0, 'header');
    const audioHeader = audioPacket(0, true);
    const key = videoPacket(0, 'key');
    for (const packet of [firstColor, header, channels, audioHeader, key, latestColor]) {
      stream.deliver(packet);
    }
    expect(stream.gopCache).toEqual([key]);
    expect(stream.decoderConfiguration.map((p) => p.payload)).toEqual([
      latestColor.payload,
      header.payload,
      channels.payload,
      audioHeader.payload,
    ]);
    // Copies: the publisher's buffers may be reused once delivered.
    latestColor.payload.fill(0);
    expect(stream.decoderConfiguration[0].payload).toEqual(colorInfoPacket(40, 1000).payload);
  });

  it('keeps the latest header of each kind, copied out of the delivered buffer', () => {
    const stream = liveStream(UNBOUNDED);
    const video = videoPacket(0, 'header');
    const audio = audioPacket(0, true);
    stream.deliver(video);
    stream.deliver(audio);
    const videoBytes = Buffer.from(video.payload);
    const audioBytes = Buffer.from(audio.payload);
    // Prove the kept headers are copies: overwrite the bytes that were delivered.
    video.payload.fill(0);
    audio.payload.fill(0);
    const kept = stream.sequenceHeaders;
    expect(kept.video?.payload).toEqual(videoBytes);
    expect(kept.video?.tag.isSequenceHeader).toBe(true);
    expect(kept.audio?.payload).toEqual(audioBytes);
    expect(stream.trackSequenceHeaders).toEqual([kept.video, kept.audio]);
  });

  it('keeps one header per track for E-RTMP multitrack streams, video first', () => {
    const stream = liveStream(UNBOUNDED);
    const track0 = videoPacket(0, 'header');
    const track1 = multitrackVideoPacket(0, 1, 'header');
    const track2 = multitrackVideoPacket(0, 2, 'header');
    stream.deliver(track0);
    stream.deliver(audioPacket(0, true));
    stream.deliver(track1);
    stream.deliver(track2);
    expect(stream.trackSequenceHeaders.map((packet) => packet.payload)).toEqual([
      track0.payload,
      track1.payload,
      track2.payload,
      audioPacket(0, true).payload,
    ]);

    // A new header for track 1 replaces the old one and moves last (it is the newest).
    const track1Again = multitrackVideoPacket(2_000, 1, 'header');
    stream.deliver(track1Again);
    const headers = stream.trackSequenceHeaders;
    expect(headers).toHaveLength(4);
    expect(headers.map((packet) => packet.timestamp)).toEqual([0, 0, 2_000, 0]);
    expect(headers[2].payload).toEqual(track1Again.payload);
    // The single "latest video header" is still the newest one, as before.
    expect(stream.sequenceHeaders.video?.timestamp).toBe(2_000);
  });
});
