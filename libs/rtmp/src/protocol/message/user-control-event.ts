/** User control event types (SPEC §7.1.7), plus the non-spec ones seen from real clients. */
export const UserControlEventType = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
  /** Not in the spec: SWF verification request (librtmp, FMS). Decodes as `unknown`. */
  SwfVerifyRequest: 26,
  /** Not in the spec: SWF verification response, 42 bytes of data. Decodes as `unknown`. */
  SwfVerifyResponse: 27,
  /** Not in the spec: BufferEmpty (librtmp, nginx). Decodes as `unknown`. */
  BufferEmpty: 31,
  /** Not in the spec: BufferReady (librtmp). Decodes as `unknown`. */
  BufferReady: 32,
} as const;

export type UserControlEventType = (typeof UserControlEventType)[keyof typeof UserControlEventType];

/** StreamBegin (0), StreamEOF (1), StreamDry (2) and StreamIsRecorded (4): a stream id only. */
export interface StreamStatusEvent {
  readonly kind: 'streamBegin' | 'streamEof' | 'streamDry' | 'streamIsRecorded';
  readonly streamId: number;
}

/** SetBufferLength (3): how much the client buffers for a stream, in milliseconds. */
export interface SetBufferLengthEvent {
  readonly kind: 'setBufferLength';
  readonly streamId: number;
  readonly bufferLength: number;
}

/** PingRequest (6) carries the sender's time; PingResponse (7) echoes it back. */
export interface PingEvent {
  readonly kind: 'pingRequest' | 'pingResponse';
  readonly timestamp: number;
}

/**
 * Any other event type, kept raw so it can be logged or relayed. Unknown events are never an
 * error: clients send non-spec events (26/27, 31/32) that a server should simply ignore.
 */
export interface UnknownUserControlEvent {
  readonly kind: 'unknown';
  readonly eventType: number;
  /** The event data as a view of the payload (copy it to keep it). */
  readonly data: Buffer;
}

/** A decoded User Control message (type 4), told apart by `kind`. */
export type UserControlEvent =
  StreamStatusEvent | SetBufferLengthEvent | PingEvent | UnknownUserControlEvent;
