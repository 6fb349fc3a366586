import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FlvStreamRecorder } from './flv-stream-recorder';
import { LiveStream } from './live-stream';
import { maskStreamKey } from '../common/mask-stream-key';
import { audioPacket, publishRequest, videoPacket } from '../media/testing/media-packet.fixtures';
import { readFlvFile } from '../protocol/flv/read-flv-file';

const KEY = 'secret-key-1234567890';

function liveStream(): LiveStream {
  return new LiveStream(publishRequest({ streamName: KEY }), (error) => {
    throw error;
  });
}

function deliverSome(stream: LiveStream, from = 0): void {
  stream.deliver(videoPacket(from, 'key'));
  stream.deliver(audioPacket(from + 10));
  stream.deliver(videoPacket(from + 40, 'inter'));
}

/** Waits until the recorder's file has written everything queued (its disk caught up). */
async function caughtUp(recorder: FlvStreamRecorder): Promise<void> {
  const file = (recorder as unknown as { file: { queuedBytes: number } }).file;
  for (let turn = 0; file.queuedBytes > 0; turn += 1) {
    if (turn > 500) throw new Error('the recording never caught up');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** What a recording holds, tag by tag: `video-header`, `key`, `video`, `audio-header`, `audio`. */
function tagsOf(path: string): string[] {
  return readFlvFile(readFileSync(path)).tags.map((tag) => {
    if (tag.type === 8) return tag.body[1] === 0 ? 'audio-header' : 'audio';
    if (tag.type !== 9) return 'data';
    if (tag.body[1] === 0) return 'video-header';
    return tag.body[0] >> 4 === 1 ? 'key' : 'video';
  });
}

describe('FlvStreamRecorder', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flv-recorder-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the stream and resolves with what it wrote once the stream ends', async () => {
    const stream = liveStream();
    stream.deliver(videoPacket(0, 'header'));
    const recorder = new FlvStreamRecorder(stream, join(dir, 'live', 'a.flv'));
    deliverSome(stream);
    stream.end({ reason: 'unpublished' });
    const summary = await recorder.finished;
    expect(summary).toMatchObject({ tags: 4, droppedPackets: 0, end: { reason: 'unpublished' } });
    expect(summary.error).toBeUndefined();
    expect(readFileSync(summary.path).length).toBe(summary.bytes);
  });

  it('behind on an audio-only stream, skips audio and resumes at the next audio frame once the disk caught up', async () => {
    const stream = liveStream();
    stream.deliver(audioPacket(0, true));
    const recorder = new FlvStreamRecorder(stream, join(dir, 'audio.flv'), { maxQueuedBytes: 1 });
    await caughtUp(recorder);
    stream.deliver(audioPacket(0));
    stream.deliver(audioPacket(23)); // the disk has not taken the frame before yet: skipped
    await caughtUp(recorder);
    stream.deliver(audioPacket(46));
    stream.end({ reason: 'unpublished' });
    const summary = await recorder.finished;
    expect(summary).toMatchObject({ tags: 3, droppedPackets: 1 });
    expect(tagsOf(summary.path)).toEqual(['audio-header', 'audio', 'audio']);
  });

  it('behind when a new sequence header arrives: writes the header, and resumes at the keyframe after it', async () => {
    const stream = liveStream();
    stream.deliver(videoPacket(0, 'header'));
    const recorder = new FlvStreamRecorder(stream, join(dir, 'video.flv'), { maxQueuedBytes: 1 });
    await caughtUp(recorder);
    stream.deliver(videoPacket(0, 'key'));
    stream.deliver(videoPacket(40, 'inter')); // skipped: behind
    stream.deliver(videoPacket(60, 'header')); // a new header (resolution change): kept
    await caughtUp(recorder);
    stream.deliver(videoPacket(80, 'inter')); // skipped: it needs frames the file never got
    stream.deliver(videoPacket(100, 'key'));
    await caughtUp(recorder);
    stream.deliver(videoPacket(140, 'inter'));
    stream.end({ reason: 'unpublished' });
    const summary = await recorder.finished;
    expect(summary.droppedPackets).toBe(2);
    expect(tagsOf(summary.path)).toEqual(['video-header', 'key', 'video-header', 'key', 'video']);
  });

  it('started mid-stream, starts the file at a keyframe after the headers', async () => {
    const stream = liveStream();
    stream.deliver(videoPacket(0, 'header'));
    stream.deliver(videoPacket(0, 'key'));
    const recorder = new FlvStreamRecorder(stream, join(dir, 'late.flv'));
    stream.deliver(videoPacket(40, 'inter'));
    stream.deliver(videoPacket(80, 'key'));
    stream.end({ reason: 'unpublished' });
    const summary = await recorder.finished;
    expect(tagsOf(summary.path)).toEqual(['video-header', 'key']);
    expect(summary.droppedPackets).toBe(1);
  });

  it('ends with an error, not a crash, when its folder cannot be made (a file is in the way)', async () => {
    writeFileSync(join(dir, 'blocker'), '');
    const stream = liveStream();
    const recorder = new FlvStreamRecorder(stream, join(dir, 'blocker', 'live', `${KEY}.flv`));
    deliverSome(stream);
    // Ends without waiting for the stream, which goes on.
    const summary = await recorder.finished;
    expect(stream.ended).toBeUndefined();
    expect(summary.end).toBeUndefined();
    expect(summary.error).toMatchObject({
      code: 'RTMP_ERR_RECORDING_FILE_FAILED',
      fatal: false,
      context: { errno: 'ENOTDIR' },
    });
    expect(summary.error?.message).not.toContain(KEY);
    expect(summary.error?.message).toContain(maskStreamKey(KEY));
    deliverSome(stream, 100);
    stream.end({ reason: 'unpublished' });
  });

  it('ends with an error when the file name is too long for the file system', async () => {
    const stream = liveStream();
    const recorder = new FlvStreamRecorder(stream, join(dir, `${'x'.repeat(300)}.flv`));
    deliverSome(stream);
    const summary = await recorder.finished;
    expect(summary.error?.context.errno).toBe('ENAMETOOLONG');
    expect(stream.ended).toBeUndefined();
  });

  it('never overwrites a file already there', async () => {
    const path = join(dir, 'taken.flv');
    writeFileSync(path, 'earlier recording');
    const stream = liveStream();
    const recorder = new FlvStreamRecorder(stream, path);
    deliverSome(stream);
    const summary = await recorder.finished;
    expect(summary.error?.context.errno).toBe('EEXIST');
    expect(readFileSync(path, 'utf8')).toBe('earlier recording');
  });

  (existsSync('/dev/full') ? it : it.skip)(
    'ends with an error, and stops taking packets, when the disk is full',
    async () => {
      const stream = liveStream();
      const recorder = new FlvStreamRecorder(stream, '/dev/full', { overwrite: true });
      deliverSome(stream);
      const summary = await recorder.finished;
      expect(summary.error?.context.errno).toBe('ENOSPC');
      expect(summary.end).toBeUndefined();
      const tags = summary.tags;
      deliverSome(stream, 100);
      expect(summary.tags).toBe(tags);
      stream.end({ reason: 'unpublished' });
    },
  );
});
