import { createWriteStream, mkdirSync, WriteStream } from 'fs';
import { dirname } from 'path';
import { RecordingFileError } from './recording-file.error';

export interface RecordingFileOptions {
  /** The stream name, masked wherever an error message would quote the path that holds it. */
  readonly streamName?: string;
  /** Replace a file already at the path; by default that is an error and the file is kept. */
  readonly overwrite?: boolean;
  /** Called once, asynchronously, when the file fails; from then on writes are dropped. */
  readonly onError?: (error: RecordingFileError) => void;
}

/**
 * The file a recording writes, made safe for a long-running server: a file-system failure
 * (full disk, no permission, a name too long, a folder that is a file) is reported once as a
 * RecordingFileError and ends this file only. A write stream without an `error` listener
 * would take the whole process down instead, and Node's message would print the path.
 *
 * Creates its folder, then opens the file for writing, without overwriting one unless told.
 */
export class RecordingFile {
  private readonly file: WriteStream | undefined;
  private readonly closed: Promise<RecordingFileError | undefined>;
  private failure: RecordingFileError | undefined;
  private ending = false;

  constructor(
    readonly path: string,
    private readonly options: RecordingFileOptions = {},
  ) {
    let file: WriteStream | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      file = createWriteStream(path, { flags: options.overwrite === true ? 'w' : 'wx' });
    } catch (error) {
      // mkdir fails at once, and so does opening a path Node rejects (a NUL byte).
      this.fail(error as NodeJS.ErrnoException);
    }
    this.file = file;
    if (file === undefined) {
      // After the failure is reported (queued first), as when a file fails later.
      this.closed = new Promise((resolve) => process.nextTick(() => resolve(this.failure)));
      return;
    }
    // 'close' follows both 'finish' and 'error', so this settles however the file ends.
    this.closed = new Promise((resolve) => file.once('close', () => resolve(this.failure)));
    file.on('error', (error) => this.fail(error));
  }

  /** Set once the file has failed. */
  get error(): RecordingFileError | undefined {
    return this.failure;
  }

  /** Bytes accepted but not yet on disk: what a recorder watches to stay within its memory. */
  get queuedBytes(): number {
    return this.file?.writableLength ?? 0;
  }

  /** Queues `chunk` for the file; does nothing once the file has failed or is closing. */
  write(chunk: Buffer): void {
    if (this.failure !== undefined || this.ending) return;
    this.file?.write(chunk);
  }

  /**
   * Flushes and closes the file. Resolves once it is closed, with the error that ended it
   * early, if any; never rejects. Every call returns the same outcome.
   */
  close(): Promise<RecordingFileError | undefined> {
    if (!this.ending) {
      this.ending = true;
      if (this.failure === undefined) this.file?.end();
    }
    return this.closed;
  }

  private fail(cause: NodeJS.ErrnoException): void {
    if (this.failure !== undefined) return;
    const error = new RecordingFileError(this.path, cause, this.options.streamName);
    this.failure = error;
    this.file?.destroy();
    const { onError } = this.options;
    // Later, so that a failure in the constructor reaches a caller that has finished wiring.
    if (onError !== undefined) process.nextTick(() => onError(error));
  }
}
