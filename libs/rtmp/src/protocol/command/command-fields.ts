import { AmfObject, AmfValue, isAmfObject, setAmfProperty } from '../amf/amf-value';
import { CommandMalformedError } from './command-malformed.error';
import { CommandMessages, describeType } from './command.messages';
import { RtmpCommand } from './rtmp-command';

/**
 * Small readers shared by the typed command parsers. Each one either returns a value of the
 * type asked for or throws {@link CommandMalformedError}; the optional ones return undefined.
 */

/** Throws unless the command is one of `names`. */
export function expectName(command: RtmpCommand, ...names: string[]): void {
  if (!names.includes(command.name)) {
    throw new CommandMalformedError(CommandMessages.unexpectedName(names, command.name), {
      name: command.name,
    });
  }
}

export function requireString(command: RtmpCommand, field: string, value: AmfValue): string {
  if (typeof value !== 'string') {
    throw new CommandMalformedError(
      CommandMessages.fieldType(command.name, field, 'a string', describeType(value)),
      { name: command.name, field },
    );
  }
  return value;
}

export function requireNumber(command: RtmpCommand, field: string, value: AmfValue): number {
  if (typeof value !== 'number') {
    throw new CommandMalformedError(
      CommandMessages.fieldType(command.name, field, 'a number', describeType(value)),
      { name: command.name, field },
    );
  }
  return value;
}

export function requireObject(command: RtmpCommand, field: string, value: AmfValue): AmfObject {
  if (!isAmfObject(value)) {
    throw new CommandMalformedError(
      CommandMessages.fieldType(command.name, field, 'an object', describeType(value)),
      { name: command.name, field },
    );
  }
  return value;
}

export function optionalString(value: AmfValue): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function optionalNumber(value: AmfValue): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Own property lookup: a key such as "constructor" must not find Object.prototype's. */
export function field(object: AmfObject, key: string): AmfValue {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** Copies `source` without undefined values: the builders never send `key: undefined`. */
export function compact(source: Readonly<Record<string, AmfValue>>): AmfObject {
  const result: AmfObject = {};
  for (const key of Object.keys(source)) {
    if (source[key] !== undefined) setAmfProperty(result, key, source[key]);
  }
  return result;
}
