import { ByteReader } from '../buffer/byte-reader';
import { assertUint } from './assert-uint';
import { UserControlEvent, UserControlEventType } from './user-control-event';

/*
 * User Control messages (type 4, SPEC §7.1.7): a u16 event type, then the event data. Known
 * events too short for their fields throw `TruncatedDataError`; bytes after the fields are
 * ignored, like the other control messages.
 */

const STREAM_STATUS_KINDS = {
  [UserControlEventType.StreamBegin]: 'streamBegin',
  [UserControlEventType.StreamEof]: 'streamEof',
  [UserControlEventType.StreamDry]: 'streamDry',
  [UserControlEventType.StreamIsRecorded]: 'streamIsRecorded',
} as const;

export function decodeUserControl(payload: Buffer): UserControlEvent {
  const reader = new ByteReader(payload, 'UserControl');
  const eventType = reader.u16();
  switch (eventType) {
    case UserControlEventType.StreamBegin:
    case UserControlEventType.StreamEof:
    case UserControlEventType.StreamDry:
    case UserControlEventType.StreamIsRecorded:
      return { kind: STREAM_STATUS_KINDS[eventType], streamId: reader.u32() };
    case UserControlEventType.SetBufferLength:
      return { kind: 'setBufferLength', streamId: reader.u32(), bufferLength: reader.u32() };
    case UserControlEventType.PingRequest:
      return { kind: 'pingRequest', timestamp: reader.u32() };
    case UserControlEventType.PingResponse:
      return { kind: 'pingResponse', timestamp: reader.u32() };
    default:
      return { kind: 'unknown', eventType, data: reader.rest() };
  }
}

export function encodeUserControl(event: UserControlEvent): Buffer {
  switch (event.kind) {
    case 'streamBegin':
    case 'streamEof':
    case 'streamDry':
    case 'streamIsRecorded':
      return withU32s(KIND_EVENT_TYPES[event.kind], [[event.streamId, 'stream id']]);
    case 'setBufferLength':
      return withU32s(UserControlEventType.SetBufferLength, [
        [event.streamId, 'stream id'],
        [event.bufferLength, 'buffer length'],
      ]);
    case 'pingRequest':
    case 'pingResponse':
      return withU32s(KIND_EVENT_TYPES[event.kind], [[event.timestamp, 'ping timestamp']]);
    case 'unknown': {
      assertUint(event.eventType, 16, 'event type');
      const payload = Buffer.allocUnsafe(2 + event.data.length);
      payload.writeUInt16BE(event.eventType, 0);
      payload.set(event.data, 2);
      return payload;
    }
  }
}

const KIND_EVENT_TYPES = {
  streamBegin: UserControlEventType.StreamBegin,
  streamEof: UserControlEventType.StreamEof,
  streamDry: UserControlEventType.StreamDry,
  streamIsRecorded: UserControlEventType.StreamIsRecorded,
  pingRequest: UserControlEventType.PingRequest,
  pingResponse: UserControlEventType.PingResponse,
} as const;

function withU32s(eventType: number, fields: [value: number, what: string][]): Buffer {
  const payload = Buffer.allocUnsafe(2 + 4 * fields.length);
  payload.writeUInt16BE(eventType, 0);
  fields.forEach(([value, what], index) => {
    assertUint(value, 32, what);
    payload.writeUInt32BE(value, 2 + 4 * index);
  });
  return payload;
}
