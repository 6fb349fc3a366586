import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FlvStreamRecorder } from './flv-stream-recorder';
import { LiveStream } from './live-stream';
import { maskStreamKey } from './mask-stream-key';
import { audioPacket, publishRequest, videoPacket } from './testing/media-packet.fixtures';

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
