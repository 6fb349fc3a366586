import { NetStatusCode } from '../protocol/command/net-status-code';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { decodeUserControl } from '../protocol/message/user-control.codec';
import {
  audioPacket,
  colorInfoPacket,
  metadataPacket,
  multichannelConfigPacket,
  multitrackVideoPacket,
  videoPacket,
} from '../media/testing/media-packet.fixtures';
import {
  deliverAll,
  FakeOutput,
  liveStream,
  MAX_QUEUED,
  player,
  STREAM_ID,
} from './testing/stream-player.fixtures';

describe('StreamPlayer', () => {
  it('counts itself in the stream it follows, until it detaches or the publisher leaves', () => {
    const stream = liveStream();
    const first = player(new FakeOutput());
    const second = player(new FakeOutput());
    first.attach(stream);
    second.attach(stream);
    expect(stream.playerCount).toBe(2);
    first.detach();
    first.detach();
    expect(stream.playerCount).toBe(1);
    stream.end({ reason: 'unpublished' });
    expect(stream.playerCount).toBe(0);
  });

  it("gives a player that joins during the stream's first GOP every frame: the lead-in audio before the first keyframe too", () => {
    const stream = liveStream();
    deliverAll(stream, [videoPacket(0, 'header'), audioPacket(0, true), audioPacket(0)]);
    const output = new FakeOutput();
    player(output).attach(stream);
    deliverAll(stream, [videoPacket(23, 'key'), audioPacket(23), videoPacket(56, 'inter')]);
    expect(output.labels()).toEqual([
      'streamBegin',
      'video-header',
      'audio-header',
      'audio@0',
      'key@23',
      'audio@23',
      'video@56',
    ]);
  });

  it('gives a player attached before any frame (one waiting for the publisher) every frame from the first', () => {
    const stream = liveStream();
    const output = new FakeOutput();
    player(output).attach(stream);
    deliverAll(stream, [
      videoPacket(0, 'header'),
      audioPacket(0, true),
      audioPacket(0),
      videoPacket(23, 'key'),
      audioPacket(23),
    ]);
    expect(output.labels()).toEqual([
      'streamBegin',
      'video-header',
      'audio-header',
      'audio@0',
      'key@23',
      'audio@23',
    ]);
  });

  it('video that joins an audio-only stream starts at a keyframe (KeyframeGate)', () => {
    const stream = liveStream();
    const output = new FakeOutput();
    player(output).attach(stream);
    deliverAll(stream, [audioPacket(0, true), audioPacket(0), videoPacket(10, 'inter')]);
    deliverAll(stream, [audioPacket(23), videoPacket(40, 'key'), audioPacket(46)]);
    expect(output.labels()).toEqual([
      'streamBegin',
      'audio-header',
      'audio@0',
      'key@40',
      'audio@46',
    ]);
  });

  it('starts with StreamBegin, metadata, the video then audio header, then the GOP from its keyframe', () => {
    const stream = liveStream();
    deliverAll(stream, [
      metadataPacket(),
      videoPacket(0, 'header'),
      audioPacket(0, true),
      videoPacket(0, 'key'),
      audioPacket(10),
      videoPacket(40, 'inter'),
      videoPacket(1_000, 'key'),
      audioPacket(1_010),
      videoPacket(1_040, 'inter'),
    ]);
    const output = new FakeOutput();
    const playing = player(output);
    playing.attach(stream);

    expect(output.labels()).toEqual([
      'streamBegin',
      'metadata',
      'video-header',
      'audio-header',
      'key@1000',
      'audio@1010',
      'video@1040',
    ]);
    expect(decodeUserControl(output.sent[0].payload)).toEqual({
      kind: 'streamBegin',
      streamId: STREAM_ID,
    });
    for (const message of output.sent.slice(1)) expect(message.messageStreamId).toBe(STREAM_ID);
    expect(output.sent[4]).toMatchObject({
      chunkStreamId: ChunkStreamId.Video,
      typeId: MessageType.Video,
    });
    expect(output.sent[5]).toMatchObject({
      chunkStreamId: ChunkStreamId.Audio,
      typeId: MessageType.Audio,
    });

    // Then live media, in order.
    output.clear();
    deliverAll(stream, [videoPacket(1_080, 'inter'), audioPacket(1_090)]);
    expect(output.labels()).toEqual(['video@1080', 'audio@1090']);
    expect(playing.stats).toEqual({ sent: 5, dropped: 0 });
  });

  it('gives a late joiner the latest E-RTMP colorInfo before the video header, and MultichannelConfig before the audio header; live ones pass even while it waits for a keyframe', () => {
    const stream = liveStream({ enabled: false, maxFrames: 0, maxBytes: 0 });
    deliverAll(stream, [
      colorInfoPacket(0, 400),
      videoPacket(0, 'header'),
      multichannelConfigPacket(0, 2),
      audioPacket(0, true),
      videoPacket(0, 'key'),
      colorInfoPacket(10, 1000), // changed mid-stream: the latest is what a joiner needs
      multichannelConfigPacket(10, 6),
    ]);
    const output = new FakeOutput();
    player(output).attach(stream);
    const configuration = output.media();
    expect(configuration.map((m) => m.payload)).toEqual([
      colorInfoPacket(10, 1000).payload,
      videoPacket(0, 'header').payload,
      multichannelConfigPacket(10, 6).payload,
      audioPacket(0, true).payload,
    ]);
    // No GOP to replay: the player waits for a keyframe, but configuration still reaches it.
    output.clear();
    deliverAll(stream, [
      videoPacket(40, 'inter'),
      colorInfoPacket(50, 600),
      videoPacket(80, 'key'),
    ]);
    expect(output.media().map((m) => m.payload)).toEqual([
      colorInfoPacket(50, 600).payload,
      videoPacket(80, 'key').payload,
    ]);
  });

  it('sends every track header of an E-RTMP multitrack stream', () => {
    const stream = liveStream();
    deliverAll(stream, [
      videoPacket(0, 'header'),
      multitrackVideoPacket(0, 1, 'header'),
      audioPacket(0, true),
      videoPacket(0, 'key'),
    ]);
    const output = new FakeOutput();
    player(output).attach(stream);
    expect(output.labels()).toEqual([
      'streamBegin',
      'video-header',
      'multitrack@0',
      'audio-header',
      'key@0',
    ]);
  });

  it('waits for the next keyframe when there is no GOP to replay (cache off)', () => {
    const stream = liveStream({ enabled: false, maxFrames: 0, maxBytes: 0 });
    deliverAll(stream, [videoPacket(0, 'header'), audioPacket(0, true), videoPacket(0, 'key')]);
    const output = new FakeOutput();
    const playing = player(output);
    playing.attach(stream);
    deliverAll(stream, [
      videoPacket(40, 'inter'),
      audioPacket(50),
      videoPacket(1_000, 'key'),
      audioPacket(1_010),
    ]);
    expect(output.labels()).toEqual([
      'streamBegin',
      'video-header',
      'audio-header',
      'key@1000',
      'audio@1010',
    ]);
    expect(playing.stats).toEqual({ sent: 2, dropped: 2 });
  });

  it("starts at the key track's keyframe of a multitrack stream, with the other tracks' keyframes", () => {
    const stream = liveStream({ enabled: false, maxFrames: 0, maxBytes: 0 });
    deliverAll(stream, [videoPacket(0, 'header'), multitrackVideoPacket(0, 1, 'header')]);
    deliverAll(stream, [videoPacket(0, 'key'), multitrackVideoPacket(0, 1, 'key')]);
    const output = new FakeOutput();
    player(output).attach(stream);
    output.clear();
    deliverAll(stream, [
      // Track 1's keyframe alone: track 0 has no picture to start from yet.
      multitrackVideoPacket(500, 1, 'key'),
      videoPacket(540, 'inter'),
      videoPacket(1_000, 'key'),
      multitrackVideoPacket(1_000, 1, 'key'),
    ]);
    expect(output.labels()).toEqual(['key@1000', 'multitrack@1000']);
  });

  it('skips to the next keyframe while its queue is over the limit, headers excepted', () => {
    const stream = liveStream();
    deliverAll(stream, [videoPacket(0, 'header'), audioPacket(0, true), videoPacket(0, 'key')]);
    const output = new FakeOutput();
    const playing = player(output);
    playing.attach(stream);
    output.clear();

    output.queuedBytes = MAX_QUEUED + 1;
    deliverAll(stream, [
      videoPacket(40, 'inter'),
      audioPacket(50),
      // Still behind at this keyframe: skipped too.
      videoPacket(1_000, 'key'),
      // Configuration is never skipped.
      metadataPacket(1_005),
      videoPacket(1_010, 'header'),
    ]);
    expect(output.labels()).toEqual(['metadata', 'video-header']);
    expect(playing.stats.dropped).toBe(3);
    expect(playing.queuedBytes).toBe(MAX_QUEUED + 1);

    // Caught up, but mid-GOP: inter frames and audio still wait for a keyframe.
    output.queuedBytes = 0;
    output.clear();
    deliverAll(stream, [
      videoPacket(1_040, 'inter'),
      audioPacket(1_050),
      videoPacket(2_000, 'key'),
      audioPacket(2_010),
      videoPacket(2_040, 'inter'),
    ]);
    expect(output.labels()).toEqual(['key@2000', 'audio@2010', 'video@2040']);
    expect(playing.stats).toEqual({ sent: 4, dropped: 5 });
  });

  it('sends StreamEOF and Play.UnpublishNotify when the publisher leaves, Play.PublishNotify when one comes back', () => {
    const first = liveStream();
    deliverAll(first, [videoPacket(0, 'header'), videoPacket(0, 'key')]);
    const output = new FakeOutput();
    const playing = player(output);
    playing.attach(first);
    expect(playing.attached).toBe(true);
    output.clear();

    first.end({ reason: 'unpublished' });
    expect(output.labels()).toEqual(['streamEof', `status:${NetStatusCode.PlayUnpublishNotify}`]);
    expect(playing.attached).toBe(false);

    const second = liveStream();
    output.clear();
    playing.attach(second);
    expect(output.labels()).toEqual([`status:${NetStatusCode.PlayPublishNotify}`, 'streamBegin']);
    deliverAll(second, [videoPacket(0, 'header'), videoPacket(0, 'key'), audioPacket(10)]);
    expect(output.labels().slice(2)).toEqual(['video-header', 'key@0', 'audio@10']);
  });

  it('sends nothing more once detached', () => {
    const stream = liveStream();
    deliverAll(stream, [videoPacket(0, 'header'), videoPacket(0, 'key')]);
    const output = new FakeOutput();
    const playing = player(output);
    playing.attach(stream);
    playing.detach();
    output.clear();
    deliverAll(stream, [videoPacket(40, 'inter'), videoPacket(1_000, 'key')]);
    stream.end({ reason: 'disconnected' });
    expect(output.sent).toEqual([]);
  });
});
