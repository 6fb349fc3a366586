import { expectName, optionalNumber, optionalString, requireString } from './command-fields';
import { CommandName } from './command-name';
import { PLAY_START_ANY } from './command.constants';
import { RtmpCommand } from './rtmp-command';

/**
 * Typed readers for the commands a server receives after connect. Positions follow what
 * FFmpeg and OBS send (notes K2, K3): `[name, txn, null, ...args]`.
 */

/** releaseStream, FCPublish or FCUnpublish: a stream name, for information only. */
export interface StreamNameCommand {
  readonly transactionId: number;
  /**
   * The stream name as sent, possibly with "?query". These commands only announce what
   * publish will say, so a missing or non-string name reads as "" instead of failing.
   */
  readonly streamName: string;
}

export interface CreateStreamCommand {
  readonly transactionId: number;
}

export interface PublishCommand {
  readonly transactionId: number;
  /** The stream name (the stream key), possibly with "?query". */
  readonly streamName: string;
  /** "live", "record" or "append"; "live" when absent. */
  readonly publishType: string;
}

export interface PlayCommand {
  readonly transactionId: number;
  readonly streamName: string;
  /**
   * -2 (the default): live, else recorded; -1: live only; >= 0: recorded from there (ms).
   * FFmpeg multiplies these by 1000 (-2000, -1000), so treat any negative value as live.
   */
  readonly start: number;
  /** -1 (the default): to the end; 0: a single frame; > 0: that many ms. */
  readonly duration: number;
  /** Whether to flush an earlier playlist; true when absent. A number counts as true unless 0. */
  readonly reset: boolean;
}

export interface DeleteStreamCommand {
  readonly transactionId: number;
  /**
   * The message stream id to delete; undefined when the client sent something else (GStreamer's
   * rtmp2sink sends a string at EOS): a teardown says "I am done" whatever its arguments.
   */
  readonly streamId: number | undefined;
}

/** closeStream carries nothing but its transaction id; it arrives on the stream to close. */
export interface CloseStreamCommand {
  readonly transactionId: number;
}

export function parseReleaseStreamCommand(command: RtmpCommand): StreamNameCommand {
  expectName(command, CommandName.ReleaseStream);
  return readStreamNameCommand(command);
}

export function parseFCPublishCommand(command: RtmpCommand): StreamNameCommand {
  expectName(command, CommandName.FCPublish);
  return readStreamNameCommand(command);
}

export function parseFCUnpublishCommand(command: RtmpCommand): StreamNameCommand {
  expectName(command, CommandName.FCUnpublish);
  return readStreamNameCommand(command);
}

export function parseCreateStreamCommand(command: RtmpCommand): CreateStreamCommand {
  expectName(command, CommandName.CreateStream);
  return { transactionId: command.transactionId };
}

/** Throws `CommandMalformedError` when the stream name is missing or not a string. */
export function parsePublishCommand(command: RtmpCommand): PublishCommand {
  expectName(command, CommandName.Publish);
  return {
    transactionId: command.transactionId,
    streamName: requireString(command, 'stream name', command.args[0]),
    publishType: optionalString(command.args[1]) ?? 'live',
  };
}

/** Throws `CommandMalformedError` when the stream name is missing or not a string. */
export function parsePlayCommand(command: RtmpCommand): PlayCommand {
  expectName(command, CommandName.Play);
  const reset = command.args[3];
  return {
    transactionId: command.transactionId,
    streamName: requireString(command, 'stream name', command.args[0]),
    start: optionalNumber(command.args[1]) ?? PLAY_START_ANY,
    duration: optionalNumber(command.args[2]) ?? -1,
    reset: typeof reset === 'boolean' ? reset : typeof reset === 'number' ? reset !== 0 : true,
  };
}

/**
 * Never refuses its arguments: a stream id that is a number, or a string of one, is read;
 * anything else gives `streamId: undefined`, which the caller takes as "every stream".
 */
export function parseDeleteStreamCommand(command: RtmpCommand): DeleteStreamCommand {
  expectName(command, CommandName.DeleteStream);
  const value = command.args[0];
  const streamId =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : undefined;
  return { transactionId: command.transactionId, streamId };
}

export function parseCloseStreamCommand(command: RtmpCommand): CloseStreamCommand {
  expectName(command, CommandName.CloseStream);
  return { transactionId: command.transactionId };
}

function readStreamNameCommand(command: RtmpCommand): StreamNameCommand {
  return {
    transactionId: command.transactionId,
    streamName: optionalString(command.args[0]) ?? '',
  };
}
