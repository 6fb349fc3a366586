import { Logger } from '@nestjs/common';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, dirname, join, relative } from 'path';
import { Subject } from 'rxjs';
import { maskStreamKey, MediaPacket, RtmpServerService, RtmpStream } from '../../../src';
import { DemoConfig } from './demo-config';
import { StreamRecorderService } from './stream-recorder.service';

const KEY = 'secret-key-1234567890';

/** Just what the recorder uses of RtmpServerService: stream starts and each stream's packets. */
class FakeRtmp {
  readonly starts = new Subject<RtmpStream>();
  readonly streamStarted$ = this.starts.asObservable();
  readonly media = new Map<string, Subject<MediaPacket>>();

  packets(app: string, name: string): Subject<MediaPacket> {
    const key = `${app}/${name}`;
    const subject = this.media.get(key) ?? new Subject<MediaPacket>();
    this.media.set(key, subject);
    return subject;
  }

  /** A stream published with key `name`, under `publicName` if the verifier gave one. */
  start(app: string, name: string, sessionId: number, publicName?: string): RtmpStream {
    const stream = {
      key: `${app}/${publicName ?? name}`,
      app,
      name: publicName ?? name,
      publicName,
      label: `${app}/${publicName ?? maskStreamKey(name)}`,
      startedAt: new Date('2026-03-04T05:06:07.089Z'),
      request: { sessionId, app, streamName: name },
    } as unknown as RtmpStream;
    this.starts.next(stream);
    return stream;
  }
}

describe('StreamRecorderService', () => {
  let dir: string;
  let rtmp: FakeRtmp;
  let logged: string[];

  function service(recordDir: string): StreamRecorderService {
    const recorder = new StreamRecorderService(
      rtmp as unknown as RtmpServerService,
      new DemoConfig({ RECORD_DIR: recordDir }),
    );
    recorder.onModuleInit();
    return recorder;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-recorder-'));
    rtmp = new FakeRtmp();
    logged = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest
        .spyOn(Logger.prototype, level)
        .mockImplementation(
          (...args: unknown[]) => void logged.push(`${level} ${String(args[0])}`),
        );
    }
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records under RECORD_DIR/<app>, names the file without the key, and logs the path', async () => {
    const recorder = service(dir);
    rtmp.start('live', KEY, 3);
    rtmp.packets('live', KEY).complete();
    const { path, error } = (await recorder.recording(`live/${KEY}`))!;
    expect(error).toBeUndefined();
    expect(path).toBe(join(dir, 'live', '2026-03-04T05-06-07-089Z-s3.flv'));
    expect(readdirSync(join(dir, 'live'))).toEqual([basename(path)]);
    expect(logged).toContain(`log recording live/${maskStreamKey(KEY)} to ${path}`);
    expect(logged.join('\n')).not.toContain(KEY);
  });

  it('names the recording of a stream with a public name after it, and logs it by that name', async () => {
    const recorder = service(dir);
    rtmp.start('live', KEY, 8, 'alice');
    rtmp.packets('live', 'alice').complete();
    const { path, error } = (await recorder.recording('live/alice'))!;
    expect(error).toBeUndefined();
    expect(path).toBe(join(dir, 'live', 'alice-2026-03-04T05-06-07-089Z-s8.flv'));
    expect(logged).toContain(`log recording live/alice to ${path}`);
    expect(logged.join('\n')).not.toContain(KEY);
  });

  it('keeps an app of "../../x" inside RECORD_DIR', async () => {
    const recordDir = join(dir, 'a', 'b', 'recordings');
    const recorder = service(recordDir);
    rtmp.start('../../x', KEY, 4);
    rtmp.packets('../../x', KEY).complete();
    const { path, error } = (await recorder.recording(`../../x/${KEY}`))!;
    expect(error).toBeUndefined();
    expect(relative(recordDir, dirname(path))).toBe('%2E.%2F..%2Fx');
    expect(readdirSync(join(dir, 'a'))).toEqual(['b']);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['recordings']);
  });

  it('records a stream whose app and name hold NUL bytes', async () => {
    const recorder = service(dir);
    rtmp.start('live\0', `${KEY}\0`, 5);
    rtmp.packets('live\0', `${KEY}\0`).complete();
    const { path, error } = (await recorder.recording(`live\0/${KEY}\0`))!;
    expect(error).toBeUndefined();
    expect(readdirSync(dirname(path))).toEqual([basename(path)]);
  });

  it('ends a recording it cannot write with a logged error, key masked, and goes on', async () => {
    writeFileSync(join(dir, 'not-a-folder'), '');
    const recorder = service(join(dir, 'not-a-folder', 'recordings'));
    rtmp.start('live', KEY, 6);
    const recording = recorder.recording(`live/${KEY}`);
    expect(recording).toBeDefined();
    const { error } = (await recording)!;
    expect(error?.code).toBe('RTMP_ERR_RECORDING_FILE_FAILED');
    // The recording stopped following the stream, which goes on.
    expect(rtmp.media.get(`live/${KEY}`)?.observed).toBe(false);
    const failures = logged.filter((line) => line.startsWith('error '));
    expect(failures).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error recording of live/${maskStreamKey(KEY).replace(/[*()]/g, '\\$&')} failed: .*ENOTDIR`,
        ),
      ),
    ]);
    expect(logged.join('\n')).not.toContain(KEY);
    // The next stream is still recorded (and fails the same way, alone).
    rtmp.start('live', 'other-key-0987654321', 7);
    expect((await recorder.recording('live/other-key-0987654321'))?.error).toBeDefined();
    await recorder.onModuleDestroy();
  });
});
