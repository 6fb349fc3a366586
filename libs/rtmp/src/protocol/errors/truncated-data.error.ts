import { RtmpError } from './rtmp-error';
import { RtmpErrorCode } from './rtmp-error-code';

/** A decoder needed more bytes than the message, tag or value holds. */
export class TruncatedDataError extends RtmpError {
  constructor(what: string, offset: number, needed: number, available: number) {
    super(
      RtmpErrorCode.Truncated,
      `${what}: needed ${needed} byte(s) at offset ${offset}, only ${available} left`,
      true,
      { what, offset, needed, available },
    );
  }
}
