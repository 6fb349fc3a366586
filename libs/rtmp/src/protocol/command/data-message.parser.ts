import { AmfObject, AmfValue, isAmfObject } from '../amf/amf-value';
import { AmfDecodeOptions } from '../amf/amf.options';
import { MessageType } from '../message/message-type';
import { CommandMalformedError } from './command-malformed.error';
import { DataMessageName } from './command-name';
import { decodeMessageValues } from './command.decoder';
import { CommandMessages, describeType } from './command.messages';

/** A data message (type 18, or 15 for AMF3) with any leading `@setDataFrame` taken off. */
export interface DataMessage {
  /** The handler name: "onMetaData", "|RtmpSampleAccess", "onTextData", "onCuePoint"... */
  readonly name: string;
  /** The values after the name: for onMetaData, one ECMA array (or object). */
  readonly values: readonly AmfValue[];
  /**
   * Whether the sender wrapped it in `@setDataFrame`, asking the server to keep it for later
   * players. FFmpeg does so for onMetaData, OBS for all its metadata. Store and forward the
   * message without the wrapper.
   */
  readonly setDataFrame: boolean;
}

/**
 * Decodes a data message payload. Throws `CommandMalformedError` when there is no string name
 * (after `@setDataFrame`, if present).
 */
export function decodeDataMessage(
  payload: Buffer,
  typeId: number = MessageType.DataAmf0,
  options?: AmfDecodeOptions,
): DataMessage {
  return readDataMessage(decodeMessageValues(payload, typeId, options), typeId);
}

/** The same as `decodeDataMessage`, for values already decoded (an FLV script tag, say). */
export function readDataMessage(
  values: readonly AmfValue[],
  typeId: number = MessageType.DataAmf0,
): DataMessage {
  const setDataFrame = values[0] === DataMessageName.SetDataFrame;
  const rest = setDataFrame ? values.slice(1) : values;
  if (rest.length === 0)
    throw new CommandMalformedError(CommandMessages.empty('data message'), { typeId });
  const name = rest[0];
  if (typeof name !== 'string') {
    throw new CommandMalformedError(
      CommandMessages.nameNotString('data message', describeType(name)),
      {
        typeId,
      },
    );
  }
  return { name, values: rest.slice(1), setDataFrame };
}

/**
 * The metadata object of an onMetaData message: its first value when that is an ECMA array or
 * a plain object (E-RTMP asks readers to take both); undefined otherwise or for other names.
 */
export function metaDataOf(message: DataMessage): AmfObject | undefined {
  if (message.name !== DataMessageName.OnMetaData) return undefined;
  const first = message.values[0];
  return isAmfObject(first) ? first : undefined;
}
