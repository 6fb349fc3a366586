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

/** Any data message: a name, then values. */
export function encodeDataMessage(name: string, ...values: AmfValue[]): Buffer {
  return encodeMessageValues([name, ...values], MessageType.DataAmf0);
}

function toEcmaArray(metadata: AmfObject): AmfEcmaArray {
  return metadata instanceof AmfEcmaArray ? metadata : new AmfEcmaArray(metadata);
}
