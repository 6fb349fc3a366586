import { BoundedPacketQueue } from './bounded-packet-queue';
import { MediaPacket } from './media-packet';
import { audioPacket, videoPacket } from './testing/media-packet.fixtures';

function label(packet: MediaPacket): string {
  if (packet.type === 'metadata') return 'metadata';
  if (packet.tag.isSequenceHeader) return `${packet.type}-header`;
  if (packet.type === 'audio') return `audio@${packet.timestamp}`;
  return `${packet.tag.isKeyFrame ? 'key' : 'video'}@${packet.timestamp}`;
}

/** A queue that records what it delivers; `flush()` runs the deliveries due. */
function queue(options: { maxQueuedBytes?: number; startAtKeyFrame?: boolean } = {}) {
  const delivered: string[] = [];
  const overflows: number[] = [];
  const subject = new BoundedPacketQueue({
    maxQueuedBytes: options.maxQueuedBytes ?? 1_000_000,
    startAtKeyFrame: options.startAtKeyFrame ?? false,
    deliver: (packet) => delivered.push(label(packet)),
    onOverflow: (dropped) => overflows.push(dropped),
  });
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return { subject, delivered, overflows, flush };
}

describe('BoundedPacketQueue', () => {
  it('delivers in a later turn, in order', async () => {
    const { subject, delivered, flush } = queue();
    subject.push(videoPacket(0, 'header'));
    subject.push(videoPacket(0, 'key'));
    expect(delivered).toEqual([]);
    await flush();
    expect(delivered).toEqual(['video-header', 'key@0']);
  });

  it('overflowing, drops queued media but keeps headers, and resumes at the next keyframe', async () => {
    const { subject, delivered, overflows, flush } = queue({ maxQueuedBytes: 60 });
    for (const packet of [
      videoPacket(0, 'header'),
      videoPacket(0, 'key', 20),
      videoPacket(40, 'inter', 20), // past the bound: the queued keyframe goes, and this
      videoPacket(80, 'inter', 20),
      audioPacket(90),
      videoPacket(120, 'key', 20),
    ]) {
      subject.push(packet);
    }
    await flush();
    expect(delivered).toEqual(['video-header', 'key@120']);
    expect(overflows).toEqual([1]);
    expect(subject.dropped).toBe(4);
  });

  it('overflowing on an audio-only stream, resumes at the next audio frame', async () => {
    const { subject, delivered, flush } = queue({ maxQueuedBytes: 35 });
    for (const packet of [
      audioPacket(0, true),
      audioPacket(0),
      audioPacket(23),
      audioPacket(46), // past the bound: the queued frames go; this one starts again
      audioPacket(69),
    ]) {
      subject.push(packet);
    }
    await flush();
    expect(delivered).toEqual(['audio-header', 'audio@46', 'audio@69']);
    expect(subject.dropped).toBe(2);
  });

  it('joining mid-stream, starts at a keyframe; video joining an audio-only stream starts at a keyframe too', async () => {
    const late = queue({ startAtKeyFrame: true });
    for (const packet of [videoPacket(40, 'inter'), audioPacket(50), videoPacket(80, 'key')]) {
      late.subject.push(packet);
    }
    await late.flush();
    expect(late.delivered).toEqual(['key@80']);

    const audioFirst = queue();
    for (const packet of [audioPacket(0), videoPacket(10, 'inter'), videoPacket(40, 'key')]) {
      audioFirst.subject.push(packet);
    }
    await audioFirst.flush();
    expect(audioFirst.delivered).toEqual(['audio@0', 'key@40']);
  });
});
