import { ChunkReader } from '../protocol/chunk/chunk-reader';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import { decodeCommand } from '../protocol/command/command.decoder';
import { NetStatusCode } from '../protocol/command/net-status-code';
import { parseStatusCommand } from '../protocol/command/response-command.parser';
import { createSetChunkSizeMessage } from '../protocol/message/control-message.factory';
import { ChunkStreamId, MessageType } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { decodeUserControl } from '../protocol/message/user-control.codec';
import { GopCacheLimits, LiveStream } from './live-stream';
import { MediaPacket } from '../media/media-packet';
import { PlayerOutput, StreamPlayer } from './stream-player';
import {
  audioPacket,
  colorInfoPacket,
  metadataPacket,
  multichannelConfigPacket,
  multitrackVideoPacket,
  publishRequest,
  videoPacket,
} from '../media/testing/media-packet.fixtures';

const STREAM_ID = 1;
const MAX_QUEUED = 1_000;
const GOP: GopCacheLimits = { enabled: true, maxFrames: 1_000, maxBytes: 1_000_000 };

/** A player's socket as the StreamPlayer sees it: records what is sent; the test sets the queue. */
class FakeOutput implements PlayerOutput {
  readonly sent: RtmpMessage[] = [];
  queuedBytes = 0;

  send(message: RtmpMessage): void {
    this.sent.push(message);
  }

  /** The sent messages as short labels, in order. */
  labels(): string[] {
    return this.sent.map(label);
  }

  /** The media messages sent (audio and video). */
  media(): RtmpMessage[] {
    return this.sent.filter(
      (message) => message.typeId === MessageType.Audio || message.typeId === MessageType.Video,
    );
  }

  clear(): void {
    this.sent.length = 0;
  }
}

/** `streamBegin`, `status:NetStream.Play.Start`, `metadata`, `key@40`, `video@80`, `audio@20`... */
function label(message: RtmpMessage): string {
  switch (message.typeId) {
    case MessageType.UserControl:
      return decodeUserControl(message.payload).kind;
    case MessageType.CommandAmf0:
      return `status:${parseStatusCommand(decodeCommand(message.payload)).status.code}`;
    case MessageType.DataAmf0:
      return 'metadata';
    case MessageType.Audio:
      return message.payload[1] === 0 ? 'audio-header' : `audio@${message.timestamp}`;
    case MessageType.Video: {
      if (message.payload[0] & 0x80) return `multitrack@${message.timestamp}`;
      if (message.payload[1] === 0) return 'video-header';
      return `${message.payload[0] >> 4 === 1 ? 'key' : 'video'}@${message.timestamp}`;
    }
    default:
      return `type${message.typeId}`;
  }
}

function liveStream(limits: GopCacheLimits = GOP): LiveStream {
  return new LiveStream(
    publishRequest(),
    (error) => {
      throw error;
    },
    limits,
  );
}

function deliverAll(stream: LiveStream, packets: readonly MediaPacket[]): void {
  for (const packet of packets) stream.deliver(packet);
}

function player(output: FakeOutput): StreamPlayer {
  return new StreamPlayer(output, STREAM_ID, { ...publishRequest(), action: 'play' }, MAX_QUEUED);
}

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

  describe('outputs that take a message already chunked (sendEncoded)', () => {
    /** Records the bytes written, decoding them with a real reader, and what was recorded. */
    class EncodedOutput extends FakeOutput {
      readonly writes: Buffer[] = [];
      readonly decoded: RtmpMessage[] = [];
      private readonly reader = new ChunkReader((message) =>
        this.decoded.push({ ...message, payload: Buffer.from(message.payload) }),
      );
      private readonly writer = new ChunkWriter();

      constructor(readonly chunkSize: number) {
        super();
        // As a session does: SetChunkSize at the old size, then the new one (the reader obeys it).
        this.reader.push(this.writer.encodeToBuffer(createSetChunkSizeMessage(chunkSize)));
        this.writer.setChunkSize(chunkSize);
      }

      override send(message: RtmpMessage): void {
        super.send(message);
        this.reader.push(this.writer.encodeToBuffer(message));
      }

      sendEncoded(bytes: Buffer, message: RtmpMessage): void {
        super.send(message);
        this.writes.push(bytes);
        this.writer.recordFullHeaderSent(message);
        this.reader.push(bytes);
      }
    }

    it('writes one chunked buffer to every player of a delivery, which each decodes as sent', () => {
      const stream = liveStream();
      deliverAll(stream, [metadataPacket(), videoPacket(0, 'header'), videoPacket(0, 'key', 300)]);
      const outputs = [new EncodedOutput(128), new EncodedOutput(128), new EncodedOutput(4096)];
      for (const output of outputs) player(output).attach(stream);
      // The join went out per player (views), not shared.
      expect(outputs.map((output) => output.writes.length)).toEqual([0, 0, 0]);
      const inter = videoPacket(40, 'inter', 500);
      const audio = audioPacket(0x1000000, false, 200); // extended timestamp
      deliverAll(stream, [inter, audio]);
      const [a, b, c] = outputs;
      expect(a.writes).toHaveLength(2);
      // The same Buffer for the players with the same chunk size; its own for the other one.
      expect(b.writes[0]).toBe(a.writes[0]);
      expect(b.writes[1]).toBe(a.writes[1]);
      expect(c.writes[0]).not.toBe(a.writes[0]);
      for (const output of outputs) {
        const media = output.decoded.filter((m) => m.typeId !== MessageType.DataAmf0);
        expect(media.slice(-2).map((m) => [m.timestamp, m.payload])).toEqual([
          [40, inter.payload],
          [0x1000000, audio.payload],
        ]);
      }
    });

    it('never reuses the bytes of an earlier delivery, even for a reused packet object', () => {
      const stream = liveStream();
      deliverAll(stream, [videoPacket(0, 'header'), videoPacket(0, 'key')]);
      const output = new EncodedOutput(128);
      player(output).attach(stream);
      const packet = audioPacket(20) as { timestamp: number; payload: Buffer } & MediaPacket;
      stream.deliver(packet);
      packet.timestamp = 40;
      packet.payload = audioPacket(40).payload;
      stream.deliver(packet);
      const audio = output.decoded.filter((m) => m.typeId === MessageType.Audio);
      expect(audio.map((m) => [m.timestamp, m.payload[2]])).toEqual([
        [20, 20],
        [40, 40],
      ]);
      stream.end({ reason: 'unpublished' });
      // Nothing of the last delivery is kept past the end.
      expect(stream.sharedForDelivery('chunks:128:1')).toBeUndefined();
    });
  });

  it('hands every player the same payload buffers: no per-player copy of media', () => {
    const stream = liveStream();
    const header = videoPacket(0, 'header');
    const key = videoPacket(0, 'key', 10_000); // past Buffer's pool: memory of its own
    deliverAll(stream, [metadataPacket(), header, key]);
    const outputs = [new FakeOutput(), new FakeOutput()];
    // The first player joins now (gets the cached GOP), the second one too, later in the GOP.
    player(outputs[0]).attach(stream);
    const inter = videoPacket(40, 'inter', 4_000);
    stream.deliver(inter);
    player(outputs[1]).attach(stream);
    const audio = audioPacket(50, false, 500);
    stream.deliver(audio);

    const [first, second] = outputs.map((output) => output.media());
    expect(first.map(label)).toEqual(['video-header', 'key@0', 'video@40', 'audio@50']);
    expect(second.map(label)).toEqual(first.map(label));
    // The header is the stream's single copy; live media is the publisher's own buffer.
    expect(first[0].payload).toBe(stream.sequenceHeaders.video?.payload);
    expect(second[0].payload).toBe(first[0].payload);
    expect(first[2].payload).toBe(inter.payload);
    expect(first[3].payload).toBe(audio.payload);
    expect(second[3].payload).toBe(audio.payload);
    // The GOP replayed to joiners is the cache's copy (the cache owns its memory and reuses
    // it), made once: both players that joined in this GOP got the very same keyframe Buffer,
    // and the second one a copy of only what arrived after the first joined.
    expect(first[1].payload).not.toBe(key.payload);
    expect(first[1].payload).toEqual(key.payload);
    expect(second[1].payload).toBe(first[1].payload);
    expect(second[2].payload).not.toBe(inter.payload);
    expect(second[2].payload).toEqual(inter.payload);
    expect(second[2].payload.buffer).not.toBe(first[1].payload.buffer);

    // Chunking for each player's socket adds headers only: the payload pieces are views of the
    // same memory (same ArrayBuffer, offsets inside the shared keyframe payload).
    const replayedKey = first[1].payload;
    const pieces = outputs.map((output) => {
      const writer = new ChunkWriter();
      const message = output.media()[1];
      return writer.encode(message).filter((part) => part.buffer === replayedKey.buffer);
    });
    for (const views of pieces) {
      expect(views.length).toBe(Math.ceil(key.payload.length / 128));
      expect(Buffer.concat(views)).toEqual(key.payload);
      for (const view of views) {
        expect(view.byteOffset).toBeGreaterThanOrEqual(replayedKey.byteOffset);
        expect(view.byteOffset + view.length).toBeLessThanOrEqual(
          replayedKey.byteOffset + replayedKey.length,
        );
      }
    }
  });
});
