import { KeyframeGate } from './keyframe-gate';
import { isConfigurationPacket, MediaPacket } from './media-packet';
import {
  audioPacket,
  colorInfoPacket,
  metadataPacket,
  videoPacket,
} from './testing/media-packet.fixtures';

/** `key@ts` / `video@ts` / `audio@ts` / `video-header` / ... of what the gate admits. */
function admitted(gate: KeyframeGate, packets: readonly MediaPacket[]): string[] {
  return packets.filter((packet) => gate.admits(packet)).map(label);
}

function label(packet: MediaPacket): string {
  if (packet.type === 'metadata') return 'metadata';
  if (packet.tag.isSequenceHeader) return `${packet.type}-header`;
  if (isConfigurationPacket(packet)) return `${packet.type}-config`;
  if (packet.type === 'audio') return `audio@${packet.timestamp}`;
  return `${packet.tag.isKeyFrame ? 'key' : 'video'}@${packet.timestamp}`;
}

describe('KeyframeGate', () => {
  it('in a gap: configuration passes, media waits for a keyframe, audio too when the stream has video', () => {
    const gate = new KeyframeGate({ startInGap: true });
    expect(
      admitted(gate, [
        metadataPacket(0),
        videoPacket(0, 'header'),
        audioPacket(0, true),
        audioPacket(10),
        videoPacket(20, 'inter'),
        colorInfoPacket(30),
        videoPacket(40, 'key'),
        audioPacket(45),
        videoPacket(60, 'inter'),
      ]),
    ).toEqual([
      'metadata',
      'video-header',
      'audio-header',
      'video-config',
      'key@40',
      'audio@45',
      'video@60',
    ]);
    expect(gate.waiting).toBe(false);
  });

  it('resumes an audio-only stream at the next audio frame after a gap', () => {
    const gate = new KeyframeGate({ startInGap: false });
    expect(admitted(gate, [audioPacket(0, true), audioPacket(0)])).toEqual([
      'audio-header',
      'audio@0',
    ]);
    gate.gap();
    expect(gate.waiting).toBe(true);
    expect(admitted(gate, [audioPacket(23), audioPacket(46)])).toEqual(['audio@23', 'audio@46']);
  });

  it('after a gap on a stream with video, drops until the next keyframe; headers that arrive meanwhile pass', () => {
    const gate = new KeyframeGate({ startInGap: false });
    admitted(gate, [videoPacket(0, 'header'), videoPacket(0, 'key'), audioPacket(10)]);
    gate.gap();
    expect(
      admitted(gate, [
        videoPacket(40, 'inter'),
        audioPacket(50),
        videoPacket(60, 'header'),
        audioPacket(60, true),
        videoPacket(80, 'key'),
        audioPacket(90),
      ]),
    ).toEqual(['video-header', 'audio-header', 'key@80', 'audio@90']);
  });

  it('from the stream start: the audio before the first keyframe passes, then video starts at the keyframe', () => {
    const gate = new KeyframeGate({ startInGap: false });
    expect(
      admitted(gate, [
        videoPacket(0, 'header'),
        audioPacket(0, true),
        audioPacket(0),
        videoPacket(23, 'key'),
        audioPacket(23),
      ]),
    ).toEqual(['video-header', 'audio-header', 'audio@0', 'key@23', 'audio@23']);
  });

  it('the first video frame must start a GOP, even outside a gap: video joining an audio-only stream, or an encoder starting with no keyframe', () => {
    const gate = new KeyframeGate({ startInGap: false });
    expect(
      admitted(gate, [
        audioPacket(0),
        videoPacket(10, 'inter'),
        audioPacket(23),
        videoPacket(40, 'key'),
        videoPacket(80, 'inter'),
        audioPacket(80),
      ]),
    ).toEqual(['audio@0', 'key@40', 'video@80', 'audio@80']);
  });

  it('starts GOPs where the stream says (the key track of a multitrack stream)', () => {
    const isGopStart = jest.fn((packet) => packet.timestamp >= 100);
    const gate = new KeyframeGate({ startInGap: true, isGopStart });
    expect(admitted(gate, [videoPacket(40, 'key'), videoPacket(100, 'key')])).toEqual(['key@100']);
  });

  it('isStart says where a consumer in a gap could start, without changing the gate', () => {
    const gate = new KeyframeGate({ startInGap: true });
    expect(gate.isStart(audioPacket(0))).toBe(true);
    gate.expectVideo();
    expect(gate.streamHasVideo).toBe(true);
    expect(gate.isStart(audioPacket(0))).toBe(false);
    expect(gate.isStart(videoPacket(0, 'header'))).toBe(false);
    expect(gate.isStart(videoPacket(0, 'key'))).toBe(true);
    expect(gate.waiting).toBe(true);
  });
});
