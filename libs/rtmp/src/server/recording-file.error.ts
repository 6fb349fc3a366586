import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { redactStreamKey } from '../common/mask-stream-key';

/**
 * Why a recording stopped early: its file could not be created or written (a full disk, no
 * permission, a folder that is a file, a name too long). It ends that recording only: the
 * stream and the connection go on, so it is never fatal. The file system's error code
 * (`ENOSPC`, `EACCES`...) is in `context.errno`; the stream name is masked in the message
 * when the path contains it.
 */
export class RecordingFileError extends RtmpError {
  constructor(path: string, cause: NodeJS.ErrnoException, streamName = '') {
    const what = cause.syscall ?? 'write';
    const why = cause.code ?? cause.message;
    super(
      RtmpErrorCode.RecordingFileFailed,
      redactStreamKey(`recording file ${path}: ${what} failed (${why})`, streamName),
      false,
      { errno: cause.code, syscall: cause.syscall },
    );
  }
}
