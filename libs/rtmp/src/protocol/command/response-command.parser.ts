import { AmfObject, AmfValue, isAmfObject } from '../amf/amf-value';
import {
  expectName,
  field,
  optionalNumber,
  optionalString,
  requireNumber,
  requireObject,
  requireString,
} from './command-fields';
import { CommandName } from './command-name';
import { ObjectEncoding } from './command.constants';
import { NetStatusLevel } from './net-status-code';
import { RtmpCommand } from './rtmp-command';

/** A NetStatus info object: what onStatus, onFCPublish and most `_result`/`_error` carry. */
export interface NetStatus {
  /** "status", "warning" or "error"; "status" when absent (onFCPublish often has none). */
  readonly level: string;
  readonly code: string;
  readonly description?: string;
  /** The whole info object, for `details`, `clientid`, `tcUrl` and the like. */
  readonly info: AmfObject;
}

export interface StatusCommand {
  readonly name: string;
  readonly transactionId: number;
  readonly status: NetStatus;
}

/** `_result` or `_error`, as a reply to any command. */
export interface ResultCommand {
  readonly transactionId: number;
  /** True for `_error`. */
  readonly isError: boolean;
  /** The command object position: properties for connect, null for most others. */
  readonly commandObject: AmfValue;
  /** The first argument: an info object, a stream id, or undefined. */
  readonly info: AmfValue;
  readonly args: readonly AmfValue[];
  /** Set when `info` (or, failing that, the command object) is a NetStatus object. */
  readonly status?: NetStatus;
}

export interface ConnectResult {
  readonly transactionId: number;
  readonly isError: boolean;
  /** Server properties (`fmsVer`, `capabilities`, E-RTMP `capsEx`...); empty when null. */
  readonly properties: AmfObject;
  readonly status?: NetStatus;
  /** The encoding the server agreed to; 0 when it does not say. */
  readonly objectEncoding: number;
}

export interface CreateStreamResult {
  readonly transactionId: number;
  readonly streamId: number;
}

export interface BandwidthDoneCommand {
  readonly transactionId: number;
  /** The figure the server sent (8192 by convention), when it sent one. */
  readonly bandwidth?: number;
}

/**
 * Reads onStatus, onFCPublish or onFCUnpublish. The info object is the first argument; when
 * that is not an object but the command object is, the command object is used instead (some
 * servers put the info there). Throws `CommandMalformedError` without an info object carrying
 * a string `code`.
 */
export function parseStatusCommand(command: RtmpCommand): StatusCommand {
  expectName(command, CommandName.OnStatus, CommandName.OnFCPublish, CommandName.OnFCUnpublish);
  const candidate = isAmfObject(command.args[0]) ? command.args[0] : command.commandObject;
  const info = requireObject(command, 'info object', candidate);
  return {
    name: command.name,
    transactionId: command.transactionId,
    status: readStatus(command, info),
  };
}

/** Reads `_result` or `_error` generically. */
export function parseResultCommand(command: RtmpCommand): ResultCommand {
  expectName(command, CommandName.Result, CommandName.Error);
  const info = command.args[0];
  const statusSource = isStatusLike(info)
    ? info
    : isStatusLike(command.commandObject)
      ? command.commandObject
      : undefined;
  return {
    transactionId: command.transactionId,
    isError: command.name === CommandName.Error,
    commandObject: command.commandObject,
    info,
    args: command.args,
    status: statusSource === undefined ? undefined : readStatus(command, statusSource),
  };
}

/** Reads the `_result` or `_error` that answers connect. */
export function parseConnectResult(command: RtmpCommand): ConnectResult {
  const result = parseResultCommand(command);
  const encoding =
    result.status === undefined
      ? undefined
      : optionalNumber(field(result.status.info, 'objectEncoding'));
  return {
    transactionId: result.transactionId,
    isError: result.isError,
    properties: isAmfObject(command.commandObject) ? command.commandObject : {},
    status: result.status,
    objectEncoding: encoding ?? ObjectEncoding.Amf0,
  };
}

/**
 * Reads the `_result` that answers createStream: `_result(txn, null, streamId)`. A number in the
 * command object position is accepted too. Throws `CommandMalformedError` for `_error` or when no
 * stream id is there.
 */
export function parseCreateStreamResult(command: RtmpCommand): CreateStreamResult {
  expectName(command, CommandName.Result);
  const candidate = typeof command.args[0] === 'number' ? command.args[0] : command.commandObject;
  return {
    transactionId: command.transactionId,
    streamId: requireNumber(command, 'stream id', candidate),
  };
}

export function parseBandwidthDoneCommand(command: RtmpCommand): BandwidthDoneCommand {
  expectName(command, CommandName.OnBWDone);
  return { transactionId: command.transactionId, bandwidth: optionalNumber(command.args[0]) };
}

function isStatusLike(value: AmfValue): value is AmfObject {
  return isAmfObject(value) && typeof field(value, 'code') === 'string';
}

function readStatus(command: RtmpCommand, info: AmfObject): NetStatus {
  return {
    level: optionalString(field(info, 'level')) ?? NetStatusLevel.Status,
    code: requireString(command, 'info code', field(info, 'code')),
    description: optionalString(field(info, 'description')),
    info,
  };
}
