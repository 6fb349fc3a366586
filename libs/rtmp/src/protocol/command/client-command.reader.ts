import { CommandName } from './command-name';
import { ConnectCommand, parseConnectCommand } from './connect-command.parser';
import { RtmpCommand } from './rtmp-command';
import {
  CloseStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  parseCloseStreamCommand,
  parseCreateStreamCommand,
  parseDeleteStreamCommand,
  parseFCPublishCommand,
  parseFCUnpublishCommand,
  parsePlayCommand,
  parsePublishCommand,
  parseReleaseStreamCommand,
  PlayCommand,
  PublishCommand,
  StreamNameCommand,
} from './stream-command.parser';

/**
 * A command a client sends a server, read by its name into a typed value (as pg-protocol's
 * parser gives one message type per code): a server switches on `kind` instead of choosing a
 * parser per case. Commands a server has no use for (`_checkbw`, `getStreamLength`, results,
 * unknown names) are `other`, with their name.
 */
export type ClientCommand =
  | ({ readonly kind: 'connect' } & ConnectCommand)
  | ({ readonly kind: 'releaseStream' } & StreamNameCommand)
  | ({ readonly kind: 'FCPublish' } & StreamNameCommand)
  | ({ readonly kind: 'FCUnpublish' } & StreamNameCommand)
  | ({ readonly kind: 'createStream' } & CreateStreamCommand)
  | ({ readonly kind: 'publish' } & PublishCommand)
  | ({ readonly kind: 'play' } & PlayCommand)
  | ({ readonly kind: 'deleteStream' } & DeleteStreamCommand)
  | ({ readonly kind: 'closeStream' } & CloseStreamCommand)
  | { readonly kind: 'other'; readonly name: string; readonly transactionId: number };

/** Reads a decoded command; throws the parsers' `CommandMalformedError` for a malformed one. */
export function readClientCommand(command: RtmpCommand): ClientCommand {
  switch (command.name) {
    case CommandName.Connect:
      return { kind: 'connect', ...parseConnectCommand(command) };
    case CommandName.ReleaseStream:
      return { kind: 'releaseStream', ...parseReleaseStreamCommand(command) };
    case CommandName.FCPublish:
      return { kind: 'FCPublish', ...parseFCPublishCommand(command) };
    case CommandName.FCUnpublish:
      return { kind: 'FCUnpublish', ...parseFCUnpublishCommand(command) };
    case CommandName.CreateStream:
      return { kind: 'createStream', ...parseCreateStreamCommand(command) };
    case CommandName.Publish:
      return { kind: 'publish', ...parsePublishCommand(command) };
    case CommandName.Play:
      return { kind: 'play', ...parsePlayCommand(command) };
    case CommandName.DeleteStream:
      return { kind: 'deleteStream', ...parseDeleteStreamCommand(command) };
    case CommandName.CloseStream:
      return { kind: 'closeStream', ...parseCloseStreamCommand(command) };
    default:
      return { kind: 'other', name: command.name, transactionId: command.transactionId };
  }
}
