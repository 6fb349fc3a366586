import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { maskStreamKey } from '../common/mask-stream-key';
import { RecordingFile } from './recording-file';
import { RecordingFileError } from './recording-file.error';

const KEY = 'secret-key-1234567890';

/** A RecordingFile whose reported errors are collected. */
function open(path: string, options: { overwrite?: boolean; streamName?: string } = {}) {
  const errors: RecordingFileError[] = [];
  const file = new RecordingFile(path, { ...options, onError: (error) => errors.push(error) });
  return { file, errors };
}

describe('RecordingFile', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'recording-file-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its folder, writes what it is given and closes', async () => {
    const path = join(dir, 'live', 'a.flv');
    const { file, errors } = open(path);
    file.write(Buffer.from('FLV'));
    file.write(Buffer.from('...'));
    expect(await file.close()).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('FLV...');
    expect(errors).toEqual([]);
  });

  it('reports a folder it cannot make once, later, and drops what is written after', async () => {
    writeFileSync(join(dir, 'blocker'), '');
    const { file, errors } = open(join(dir, 'blocker', 'live', `${KEY}.flv`), { streamName: KEY });
    expect(file.error).toBeInstanceOf(RecordingFileError);
    expect(errors).toEqual([]); // not from inside the constructor
    file.write(Buffer.from('ignored'));
    const error = await file.close();
    expect(error).toBe(file.error);
    expect(errors).toEqual([error]);
    expect(error).toMatchObject({
      code: 'RTMP_ERR_RECORDING_FILE_FAILED',
      fatal: false,
      context: { errno: 'ENOTDIR', syscall: 'mkdir' },
    });
    expect(error?.message).not.toContain(KEY);
    expect(error?.message).toContain(maskStreamKey(KEY));
  });

  it('reports a name too long for the file system', async () => {
    const { file, errors } = open(join(dir, `${'x'.repeat(300)}.flv`));
    file.write(Buffer.from('FLV'));
    const error = await file.close();
    expect(error?.context).toEqual({ errno: 'ENAMETOOLONG', syscall: 'open' });
    expect(errors).toEqual([error]);
  });

  it('reports a path Node refuses (a NUL byte) without throwing', async () => {
    const { file } = open(join(dir, 'a\0b.flv'));
    expect((await file.close())?.context.errno).toBe('ERR_INVALID_ARG_VALUE');
  });

  it('keeps a file already at the path unless told to overwrite it', async () => {
    const path = join(dir, 'taken.flv');
    writeFileSync(path, 'earlier');
    const kept = open(path);
    kept.file.write(Buffer.from('later'));
    expect((await kept.file.close())?.context.errno).toBe('EEXIST');
    expect(readFileSync(path, 'utf8')).toBe('earlier');

    const replaced = open(path, { overwrite: true });
    replaced.file.write(Buffer.from('later'));
    expect(await replaced.file.close()).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('later');
  });

  (existsSync('/dev/full') ? it : it.skip)(
    'reports a full disk once, however many writes fail',
    async () => {
      const { file, errors } = open('/dev/full', { overwrite: true });
      for (let i = 0; i < 10; i += 1) file.write(Buffer.alloc(1024));
      const error = await file.close();
      expect(error?.context).toEqual({ errno: 'ENOSPC', syscall: 'write' });
      expect(errors).toEqual([error]);
      file.write(Buffer.alloc(1024));
      expect(await file.close()).toBe(error);
    },
  );
});
