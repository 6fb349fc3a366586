import { Amf0Decoder } from '../amf/amf0.decoder';
import { AmfValue } from '../amf/amf-value';
import { AmfDecodeOptions } from '../amf/amf.options';
import { MessageType } from '../message/message-type';
import { CommandMalformedError } from './command-malformed.error';
import { CommandMessages, describeType } from './command.messages';
import { RtmpCommand } from './rtmp-command';

/**
 * Decodes the AMF values of a command or data message payload.
 *
 * Types 20 and 18 are AMF0 from the first byte. Types 17 and 15 start with a format selector
 * that must be 0, then AMF0 in which each value prefixed with 0x11 is AMF3 (E-RTMP v2, "Enabling
 * AMF3 in RTMP"). All values share one AMF0 reference table; each AMF3 value has its own
 * tables (see `Amf0Decoder`).
 */
export function decodeMessageValues(
  payload: Buffer,
  typeId: number,
  options?: AmfDecodeOptions,
): AmfValue[] {
  let start = 0;
  if (typeId === MessageType.CommandAmf3 || typeId === MessageType.DataAmf3) {
    if (payload.length === 0)
      throw new CommandMalformedError(CommandMessages.empty('message'), { typeId });
    const selector = payload[0];
    if (selector !== 0) {
      throw new CommandMalformedError(CommandMessages.formatSelector(typeId, selector), {
        typeId,
        selector,
      });
    }
    start = 1;
  } else if (typeId !== MessageType.CommandAmf0 && typeId !== MessageType.DataAmf0) {
    throw new CommandMalformedError(CommandMessages.notAmfMessage(typeId), { typeId });
  }
  return new Amf0Decoder(payload, options, start).readAll();
}

/**
 * Decodes a command message payload (type 20 or 17) into name, transaction id, command object
 * and arguments.
 *
 * The name must be a string and the transaction id a number, or this throws a
 * {@link CommandMalformedError}. One leniency: a payload that ends right after the name reads
 * as transaction id 0 with a null command object, the shape of a notification with nothing to
 * say. A missing command object reads as null.
 */
export function decodeCommand(
  payload: Buffer,
  typeId: number = MessageType.CommandAmf0,
  options?: AmfDecodeOptions,
): RtmpCommand {
  const values = decodeMessageValues(payload, typeId, options);
  if (values.length === 0)
    throw new CommandMalformedError(CommandMessages.empty('command'), { typeId });
  const name = values[0];
  if (typeof name !== 'string') {
    throw new CommandMalformedError(CommandMessages.nameNotString('command', describeType(name)), {
      typeId,
    });
  }
  const transactionId = values.length > 1 ? values[1] : 0;
  if (typeof transactionId !== 'number') {
    throw new CommandMalformedError(
      CommandMessages.transactionNotNumber(name, describeType(transactionId)),
      { typeId, name },
    );
  }
  return {
    name,
    transactionId,
    commandObject: values.length > 2 ? values[2] : null,
    args: values.slice(3),
  };
}
