import { AmfObject, AmfValue, isAmfObject } from '../amf/amf-value';
import {
  expectName,
  field,
  optionalNumber,
  optionalString,
  requireObject,
  requireString,
} from './command-fields';
import { CommandName } from './command-name';
import { ObjectEncoding } from './command.constants';
import { RtmpCommand } from './rtmp-command';

/**
 * A connect command as a server reads it (SPEC §7.2.1.1, E-RTMP v2 "Enhancing NetConnection
 * connect Command"). Every field but `app` is optional because real clients differ: FFmpeg and
 * OBS send no `objectEncoding`, only FFmpeg's player sends `capabilities`, only E-RTMP clients
 * send `fourCcList`, `capsEx` and the FourCC info maps.
 *
 * A field of the wrong type reads as absent rather than failing: the raw object is kept in
 * `commandObject` for anything else.
 */
export interface ConnectCommand {
  readonly transactionId: number;
  /** The application, possibly with "?query" (split it with `parseStreamName`). */
  readonly app: string;
  readonly tcUrl?: string;
  readonly flashVer?: string;
  readonly swfUrl?: string;
  readonly pageUrl?: string;
  /** "nonprivate" from FMLE-style encoders. */
  readonly type?: string;
  /** 0 (AMF0 only) unless the client says 3 (AMF0 and AMF3). Echo it in the result. */
  readonly objectEncoding: number;
  readonly capabilities?: number;
  readonly audioCodecs?: number;
  readonly videoCodecs?: number;
  readonly videoFunction?: number;
  /** E-RTMP v1 codec list; may hold "*". Non-string entries are dropped. */
  readonly fourCcList?: readonly string[];
  /** E-RTMP v2 `CapsExMask` flags. */
  readonly capsEx?: number;
  /** E-RTMP v2 FourCC → `FourCcInfoMask` flags; "*" overrides the others. */
  readonly videoFourCcInfoMap?: Readonly<Record<string, number>>;
  readonly audioFourCcInfoMap?: Readonly<Record<string, number>>;
  /** The command object as received, plain object or ECMA array. */
  readonly commandObject: AmfObject;
  /** Optional user arguments after the command object (some clients pass auth data here). */
  readonly args: readonly AmfValue[];
}

/**
 * Reads a decoded `connect`. Throws `CommandMalformedError` when the command object is not an
 * object (plain or ECMA array, E-RTMP asks readers to take both) or has no string `app`.
 */
export function parseConnectCommand(command: RtmpCommand): ConnectCommand {
  expectName(command, CommandName.Connect);
  const object = requireObject(command, 'command object', command.commandObject);
  const app = requireString(command, 'app', field(object, 'app'));
  const objectEncoding = optionalNumber(field(object, 'objectEncoding'));
  return {
    transactionId: command.transactionId,
    app,
    tcUrl: optionalString(field(object, 'tcUrl')),
    flashVer: optionalString(field(object, 'flashVer')),
    swfUrl: optionalString(field(object, 'swfUrl')),
    pageUrl: optionalString(field(object, 'pageUrl')),
    type: optionalString(field(object, 'type')),
    objectEncoding:
      objectEncoding !== undefined && Number.isFinite(objectEncoding)
        ? objectEncoding
        : ObjectEncoding.Amf0,
    capabilities: optionalNumber(field(object, 'capabilities')),
    audioCodecs: optionalNumber(field(object, 'audioCodecs')),
    videoCodecs: optionalNumber(field(object, 'videoCodecs')),
    videoFunction: optionalNumber(field(object, 'videoFunction')),
    fourCcList: readStringList(field(object, 'fourCcList')),
    capsEx: optionalNumber(field(object, 'capsEx')),
    videoFourCcInfoMap: readFlagMap(field(object, 'videoFourCcInfoMap')),
    audioFourCcInfoMap: readFlagMap(field(object, 'audioFourCcInfoMap')),
    commandObject: object,
    args: command.args,
  };
}

function readStringList(value: AmfValue): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}

function readFlagMap(value: AmfValue): Record<string, number> | undefined {
  if (!isAmfObject(value)) return undefined;
  const flags = Object.create(null) as Record<string, number>;
  for (const key of Object.keys(value)) {
    const flag = value[key];
    if (typeof flag === 'number') flags[key] = flag;
  }
  return flags;
}
