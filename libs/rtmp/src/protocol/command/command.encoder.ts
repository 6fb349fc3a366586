import { Amf0Encoder } from '../amf/amf0.encoder';
import { AmfValue } from '../amf/amf-value';
import { MessageType } from '../message/message-type';
import { CommandMalformedError } from './command-malformed.error';
import { CommandMessages } from './command.messages';
import { RtmpCommandInit } from './rtmp-command';

/**
 * Encodes a command message payload: name, transaction id, command object (null unless given),
 * then the arguments, as AMF0. For type 17 the payload gets its 0x00 format selector in front;
 * values that need AMF3 are switched to it one by one either way (see `Amf0Encoder`).
 */
export function encodeCommand(
  command: RtmpCommandInit,
  typeId: number = MessageType.CommandAmf0,
): Buffer {
  const values: AmfValue[] = [command.name, command.transactionId, command.commandObject ?? null];
  if (command.args !== undefined) values.push(...command.args);
  return encodeMessageValues(values, typeId);
}

/**
 * Encodes the AMF values of a command or data message payload for the given message type
 * (20 and 18 plain AMF0; 17 and 15 with the 0x00 format selector first).
 */
export function encodeMessageValues(values: readonly AmfValue[], typeId: number): Buffer {
  const amf3 = typeId === MessageType.CommandAmf3 || typeId === MessageType.DataAmf3;
  if (!amf3 && typeId !== MessageType.CommandAmf0 && typeId !== MessageType.DataAmf0) {
    throw new CommandMalformedError(CommandMessages.notAmfMessage(typeId), { typeId });
  }
  const encoder = new Amf0Encoder();
  for (const value of values) encoder.writeValue(value);
  const body = encoder.toBuffer();
  return amf3 ? Buffer.concat([FORMAT_SELECTOR_AMF0, body]) : body;
}

/** The only format selector defined for types 15, 16 and 17: AMF0 follows. */
const FORMAT_SELECTOR_AMF0 = Buffer.from([0x00]);
