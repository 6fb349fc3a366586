/** Why a publish ended. Only `error` means something went wrong. */
export type StreamEndReason =
  /** The publisher said so: FCUnpublish, deleteStream or closeStream. */
  | 'unpublished'
  /** The connection closed without an unpublish (encoder stopped, network dropped). */
  | 'disconnected'
  /** A newcomer took over after this publisher had been silent too long. */
  | 'replaced'
  /** The server is shutting down. */
  | 'server-closed'
  /** The application disconnected the publisher (`RtmpServer.disconnect`). */
  | 'kicked'
  /** A protocol error or a limit ended the connection. */
  | 'error';

export interface StreamEnd {
  readonly reason: StreamEndReason;
  /** The error, when `reason` is `error`. */
  readonly error?: Error;
  /** The application's words, when `reason` is `kicked` (key masked). */
  readonly message?: string;
}
