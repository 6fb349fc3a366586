import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { SessionError } from './session.error';

/**
 * The message streams a connection has created (`createStream`) and not deleted, bounded by
 * `maxStreamsPerConnection`: a peer cannot make the server count streams without end.
 */
export class MessageStreams {
  private nextId = 1;
  private open = 0;

  constructor(private readonly max: number) {}

  /** A new stream's id; throws past the bound. */
  create(): number {
    if (this.open >= this.max) {
      throw new SessionError(
        RtmpErrorCode.SessionTooManyStreams,
        `createStream past maxStreamsPerConnection (${this.max})`,
        { maxStreamsPerConnection: this.max },
      );
    }
    this.open += 1;
    const id = this.nextId;
    this.nextId += 1;
    return id;
  }

  /** A `deleteStream`: an id that was never created frees nothing. */
  delete(streamId: number): void {
    if (streamId > 0 && streamId < this.nextId && this.open > 0) this.open -= 1;
  }
}
