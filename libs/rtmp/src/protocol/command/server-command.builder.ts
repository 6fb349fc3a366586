import { AmfObject, AmfValue } from '../amf/amf-value';
import { compact } from './command-fields';
import { CommandName } from './command-name';
import { encodeCommand } from './command.encoder';
import {
  DEFAULT_BANDWIDTH,
  DEFAULT_CONNECT_DESCRIPTION,
  DEFAULT_FMS_VERSION,
  DEFAULT_SERVER_CAPABILITIES,
  ObjectEncoding,
} from './command.constants';
import { NetStatusCode, NetStatusLevel } from './net-status-code';

/**
 * Payloads (type 20, AMF0) for what a server sends, shaped as the notes (K3, K4) say real
 * clients need them. Every builder returns the payload only; the caller picks csid and msid.
 */

export interface ConnectResultOptions {
  readonly transactionId: number;
  /** The client's `objectEncoding`, echoed back (nginx and NMS do); 0 when not given. */
  readonly objectEncoding?: number;
  readonly description?: string;
  /**
   * Extra server properties, merged over `fmsVer` and `capabilities` (E-RTMP `capsEx`,
   * `videoFourCcInfoMap`... or another `fmsVer`).
   */
  readonly properties?: AmfObject;
  /** Extra info fields, after level, code, description and objectEncoding. */
  readonly info?: AmfObject;
}

/**
 * `_result(txn, {fmsVer, capabilities}, {level:"status", code:"NetConnection.Connect.Success",
 * description, objectEncoding})`.
 */
export function encodeConnectResult(options: ConnectResultOptions): Buffer {
  return encodeCommand({
    name: CommandName.Result,
    transactionId: options.transactionId,
    commandObject: compact({
      fmsVer: DEFAULT_FMS_VERSION,
      capabilities: DEFAULT_SERVER_CAPABILITIES,
      ...options.properties,
    }),
    args: [
      compact({
        level: NetStatusLevel.Status,
        code: NetStatusCode.ConnectSuccess,
        description: options.description ?? DEFAULT_CONNECT_DESCRIPTION,
        objectEncoding: options.objectEncoding ?? ObjectEncoding.Amf0,
        ...options.info,
      }),
    ],
  });
}

export interface ConnectErrorOptions {
  readonly transactionId: number;
  readonly description: string;
  /** Defaults to NetConnection.Connect.Rejected. */
  readonly code?: string;
}

/**
 * `_error(txn, null, {level:"error", code, description})`. The command object must stay null:
 * FFmpeg reads `description` only from the first object after the transaction id, and ignores
 * an error whose first object lacks it. Close the socket after sending it: OBS only gives up
 * when the connection drops.
 */
export function encodeConnectError(options: ConnectErrorOptions): Buffer {
  return encodeCommand({
    name: CommandName.Error,
    transactionId: options.transactionId,
    commandObject: null,
    args: [
      {
        level: NetStatusLevel.Error,
        code: options.code ?? NetStatusCode.ConnectRejected,
        description: options.description,
      },
    ],
  });
}

/** `_result(txn, null, streamId)`: the answer to createStream (return 1 for the first stream). */
export function encodeCreateStreamResult(transactionId: number, streamId: number): Buffer {
  return encodeResult(transactionId, null, streamId);
}

/**
 * `_result(txn, null, undefined)`: the answer to releaseStream and FCPublish (and FCUnpublish
 * or deleteStream when a server answers them). Some hardware encoders wait for it.
 */
export function encodeEmptyResult(transactionId: number): Buffer {
  return encodeResult(transactionId, null, undefined);
}

/** `_result(txn, commandObject, ...args)`. */
export function encodeResult(
  transactionId: number,
  commandObject: AmfValue,
  ...args: AmfValue[]
): Buffer {
  return encodeCommand({ name: CommandName.Result, transactionId, commandObject, args });
}

/** `_error(txn, commandObject, ...args)`. */
export function encodeError(
  transactionId: number,
  commandObject: AmfValue,
  ...args: AmfValue[]
): Buffer {
  return encodeCommand({ name: CommandName.Error, transactionId, commandObject, args });
}

/** A NetStatus info object to send: level, code, optional description, then anything else. */
export interface NetStatusInit {
  readonly level: string;
  readonly code: string;
  readonly description?: string;
  readonly [detail: string]: AmfValue;
}

/** `onStatus(txn, null, {level, code, description, ...details})`; txn is 0 by convention. */
export function encodeOnStatus(status: NetStatusInit, transactionId = 0): Buffer {
  return encodeCommand({
    name: CommandName.OnStatus,
    transactionId,
    commandObject: null,
    args: [compact(status)],
  });
}

/** `onFCPublish(0, null, {code:"NetStream.Publish.Start", description})`. */
export function encodeOnFCPublish(
  description: string,
  code: string = NetStatusCode.PublishStart,
): Buffer {
  return encodeCommand({
    name: CommandName.OnFCPublish,
    transactionId: 0,
    commandObject: null,
    args: [{ code, description }],
  });
}

/** `onFCUnpublish(0, null, {code:"NetStream.Unpublish.Success", description})` (FMS, SRS). */
export function encodeOnFCUnpublish(
  description: string,
  code: string = NetStatusCode.UnpublishSuccess,
): Buffer {
  return encodeCommand({
    name: CommandName.OnFCUnpublish,
    transactionId: 0,
    commandObject: null,
    args: [{ code, description }],
  });
}

/** `onBWDone(0, null, 8192)`: optional after connect; FFmpeg answers with `_checkbw`. */
export function encodeOnBWDone(bandwidth: number = DEFAULT_BANDWIDTH): Buffer {
  return encodeCommand({
    name: CommandName.OnBWDone,
    transactionId: 0,
    commandObject: null,
    args: [bandwidth],
  });
}

export interface ReconnectRequestOptions {
  readonly description?: string;
  /** Where to reconnect, absolute or relative to the current tcUrl; the same server if absent. */
  readonly tcUrl?: string;
}

/**
 * E-RTMP v2 reconnect request, sent on the connection (msid 0):
 * `onStatus(0, null, {code:"NetConnection.Connect.ReconnectRequest", level:"status", ...})`.
 * Only for clients that announced `CapsExMask.Reconnect`.
 */
export function encodeReconnectRequest(options: ReconnectRequestOptions = {}): Buffer {
  return encodeOnStatus({
    level: NetStatusLevel.Status,
    code: NetStatusCode.ConnectReconnectRequest,
    description: options.description,
    tcUrl: options.tcUrl,
  });
}
