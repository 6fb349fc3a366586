import { RtmpErrorCode } from './rtmp-error-code';

/** Extra facts about where an error happened (offsets, ids, sizes). Never a stream key. */
export type RtmpErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base of every error the protocol core throws. Decoders fail only with a subclass of this,
 * never with a RangeError from Buffer, so a session can tell protocol faults from bugs.
 *
 * `fatal` says whether the connection can go on: a fatal error leaves the byte stream out of
 * sync (or the peer hostile), so the session must close it.
 */
export class RtmpError extends Error {
  constructor(
    readonly code: RtmpErrorCode,
    message: string,
    readonly fatal: boolean,
    readonly context: RtmpErrorContext = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
