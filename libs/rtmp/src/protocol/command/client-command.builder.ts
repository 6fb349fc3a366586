import { AmfObject, AmfValue } from '../amf/amf-value';
import { compact } from './command-fields';
import { CommandName } from './command-name';
import { encodeCommand } from './command.encoder';
import { DEFAULT_CLIENT_FLASH_VERSION, PLAY_START_ANY } from './command.constants';

/**
 * Payloads (type 20, AMF0) for what a client sends, in the order FFmpeg and OBS send them
 * (notes K1, K2, K5): connect (txn 1), then releaseStream, FCPublish and createStream together,
 * publish on the returned stream, FCUnpublish and deleteStream at the end. Transaction ids come
 * from the caller, who keeps them increasing and matches the replies.
 */

export interface ConnectObjectOptions {
  readonly app: string;
  /** rtmp://host:port/app — FFmpeg always includes the port. */
  readonly tcUrl: string;
  readonly flashVer?: string;
  /** Defaults to `tcUrl`, as OBS sends it; null leaves it out, as FFmpeg does. */
  readonly swfUrl?: string | null;
  /** "nonprivate", as FMLE-style encoders send. */
  readonly type?: string;
  /** Only sent when given; FFmpeg and OBS leave it out (meaning 0). */
  readonly objectEncoding?: number;
  /** More fields, appended in order (`fourCcList`, `capsEx`, `pageUrl`...). */
  readonly extra?: AmfObject;
}

/** The FMLE-style connect command object: app, type, flashVer, swfUrl, tcUrl, then extras. */
export function buildConnectObject(options: ConnectObjectOptions): AmfObject {
  return compact({
    app: options.app,
    type: options.type ?? 'nonprivate',
    flashVer: options.flashVer ?? DEFAULT_CLIENT_FLASH_VERSION,
    swfUrl: options.swfUrl === null ? undefined : (options.swfUrl ?? options.tcUrl),
    tcUrl: options.tcUrl,
    objectEncoding: options.objectEncoding,
    ...options.extra,
  });
}

/** `connect(txn, commandObject, ...args)`; txn is 1 by convention. */
export function encodeConnect(
  commandObject: AmfObject,
  transactionId = 1,
  ...args: AmfValue[]
): Buffer {
  return encodeCommand({ name: CommandName.Connect, transactionId, commandObject, args });
}

/** `releaseStream(txn, null, name)`. */
export function encodeReleaseStream(transactionId: number, streamName: string): Buffer {
  return encodeNamed(CommandName.ReleaseStream, transactionId, streamName);
}

/** `FCPublish(txn, null, name)`. */
export function encodeFCPublish(transactionId: number, streamName: string): Buffer {
  return encodeNamed(CommandName.FCPublish, transactionId, streamName);
}

/** `createStream(txn, null)`. */
export function encodeCreateStream(transactionId: number): Buffer {
  return encodeCommand({ name: CommandName.CreateStream, transactionId });
}

/**
 * `publish(txn, null, name, type)`, sent on the stream id createStream returned. The spec says
 * txn 0, but FFmpeg and OBS send a real one and servers echo it.
 */
export function encodePublish(
  transactionId: number,
  streamName: string,
  publishType = 'live',
): Buffer {
  return encodeCommand({
    name: CommandName.Publish,
    transactionId,
    args: [streamName, publishType],
  });
}

export interface PlayOptions {
  /** -2 (default): live, else recorded; -1: live only; >= 0: recorded from there. */
  readonly start?: number;
  /** Sent only when given: -1 to the end, 0 one frame, > 0 that many ms. */
  readonly duration?: number;
  /** Sent only when given (needs `duration`, which is then sent as -1 if absent). */
  readonly reset?: boolean;
}

/** `play(txn, null, name, start[, duration[, reset]])`, sent on the stream id to play into. */
export function encodePlay(
  transactionId: number,
  streamName: string,
  options: PlayOptions = {},
): Buffer {
  const args: AmfValue[] = [streamName, options.start ?? PLAY_START_ANY];
  if (options.duration !== undefined || options.reset !== undefined)
    args.push(options.duration ?? -1);
  if (options.reset !== undefined) args.push(options.reset);
  return encodeCommand({ name: CommandName.Play, transactionId, args });
}

/** `FCUnpublish(txn, null, name)`. */
export function encodeFCUnpublish(transactionId: number, streamName: string): Buffer {
  return encodeNamed(CommandName.FCUnpublish, transactionId, streamName);
}

/** `deleteStream(txn, null, streamId)`, sent on the connection (msid 0). */
export function encodeDeleteStream(transactionId: number, streamId: number): Buffer {
  return encodeCommand({ name: CommandName.DeleteStream, transactionId, args: [streamId] });
}

/** `closeStream(txn, null)`, sent on the stream to close. */
export function encodeCloseStream(transactionId = 0): Buffer {
  return encodeCommand({ name: CommandName.CloseStream, transactionId });
}

/** `_checkbw(txn, null)`: FFmpeg's answer to onBWDone. */
export function encodeCheckBandwidth(transactionId: number): Buffer {
  return encodeCommand({ name: CommandName.CheckBandwidth, transactionId });
}

function encodeNamed(name: string, transactionId: number, streamName: string): Buffer {
  return encodeCommand({ name, transactionId, args: [streamName] });
}
