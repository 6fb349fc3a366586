import { ChunkReader } from '../protocol/chunk/chunk-reader';
import { ChunkWriter } from '../protocol/chunk/chunk-writer';
import { createSetChunkSizeMessage } from '../protocol/message/control-message.factory';
import { MessageType } from '../protocol/message/message-type';
import { RtmpMessage } from '../protocol/message/rtmp-message';
import { MediaPacket } from '../media/media-packet';
import { audioPacket, metadataPacket, videoPacket } from '../media/testing/media-packet.fixtures';
import {
  deliverAll,
  FakeOutput,
  label,
  liveStream,
  player,
} from './testing/stream-player.fixtures';

describe('StreamPlayer: shared media', () => {
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
