import { AmfEcmaArray, AmfObject, AmfValue } from '../amf/amf-value';
import { MessageType } from '../message/message-type';
import { DataMessageName } from './command-name';
import { encodeMessageValues } from './command.encoder';

/**
 * Payloads (type 18, AMF0) for data messages. Metadata goes out as an ECMA array, which is what
 * FFmpeg and OBS send and what players expect.
 */

/** `@setDataFrame, name, <ECMA array>`: what a publisher sends (FFmpeg, OBS). */
export function encodeSetDataFrame(
  metadata: AmfObject,
  name: string = DataMessageName.OnMetaData,
): Buffer {
  return encodeDataMessage(DataMessageName.SetDataFrame, name, toEcmaArray(metadata));
}

/** `onMetaData, <ECMA array>`: what a server sends to players, without `@setDataFrame`. */
export function encodeOnMetaData(metadata: AmfObject): Buffer {
  return encodeDataMessage(DataMessageName.OnMetaData, toEcmaArray(metadata));
}

/** `|RtmpSampleAccess, audio, video`: nginx and SRS send (true, true) when play starts. */
export function encodeRtmpSampleAccess(audio = true, video = true): Buffer {
  return encodeDataMessage(DataMessageName.RtmpSampleAccess, audio, video);
}

/**
 * `@setDataFrame` as an AMF0 value: what a publisher puts in front of a data message, and what
 * a server strips before storing or forwarding it.
 */
export const SET_DATA_FRAME_PREFIX: Buffer = encodeMessageValues(
  [DataMessageName.SetDataFrame],
  MessageType.DataAmf0,
);

/**
 * The data message body starting at its name (`onMetaData`, values...), as players and FLV
 * files expect it: a view past a leading `@setDataFrame` for AMF0 (no copy), a fresh AMF0
 * encoding of `name` and `values` for an AMF3 data message (its format byte has to go).
 */
export function dataMessageBody(
  message: { readonly typeId: number; readonly payload: Buffer },
  name: string,
  values: readonly AmfValue[],
): Buffer {
  const { payload } = message;
  if (message.typeId === MessageType.DataAmf3) return encodeDataMessage(name, ...values);
  const prefix = SET_DATA_FRAME_PREFIX;
  if (
    payload.length > prefix.length &&
    payload.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
  ) {
    return payload.subarray(prefix.length);
  }
  return payload;
}

/** Any data message: a name, then values. */
export function encodeDataMessage(name: string, ...values: AmfValue[]): Buffer {
  return encodeMessageValues([name, ...values], MessageType.DataAmf0);
}

function toEcmaArray(metadata: AmfObject): AmfEcmaArray {
  return metadata instanceof AmfEcmaArray ? metadata : new AmfEcmaArray(metadata);
}
