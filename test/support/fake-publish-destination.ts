import { Socket } from 'net';
import { ChunkReader, ChunkWriter } from '../../libs/rtmp/src/protocol/chunk';
import {
  CommandName,
  decodeCommand,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeOnStatus,
  NetStatusCode,
  NetStatusLevel,
  RtmpCommand,
} from '../../libs/rtmp/src/protocol/command';
import { ServerHandshake } from '../../libs/rtmp/src/protocol/handshake';
import { createCommandMessage, MessageType } from '../../libs/rtmp/src/protocol/message';

/** The message stream id a fake destination hands out. */
export const FAKE_STREAM_ID = 1;

/** Sends a command message on `messageStreamId` (0: the connection's). */
export type AnswerCommand = (payload: Buffer, messageStreamId?: number) => void;

export interface FakeDestinationHooks {
  /** The description of the NetStream.Publish.Start it answers each publish with. */
  readonly startDescription: string;
  /** Called once the publish is answered, with a way to send more. */
  onPublish(command: RtmpCommand, answer: AnswerCommand): void;
  /** Sees every socket read first; returning false drops it unread. */
  onData?(data: Buffer): boolean;
}

/**
 * The publish side of an RTMP server, built from the protocol core, for the fake destinations
 * of relay tests: on `socket` it answers the handshake, connect, createStream and publish
 * (NetStream.Publish.Start), and reads past whatever else comes.
 */
export function answerPublishes(socket: Socket, hooks: FakeDestinationHooks): void {
  socket.on('error', () => undefined);
  const handshake = new ServerHandshake();
  const writer = new ChunkWriter();
  const answer: AnswerCommand = (payload, messageStreamId = 0) => {
    for (const part of writer.encode(createCommandMessage(messageStreamId, payload))) {
      socket.write(part);
    }
  };
  const reader = new ChunkReader((message) => {
    if (message.typeId !== MessageType.CommandAmf0) return;
    const command = decodeCommand(message.payload, message.typeId);
    if (command.name === CommandName.Connect) {
      answer(encodeConnectResult({ transactionId: command.transactionId }));
    } else if (command.name === CommandName.CreateStream) {
      answer(encodeCreateStreamResult(command.transactionId, FAKE_STREAM_ID));
    } else if (command.name === CommandName.Publish) {
      const status = {
        level: NetStatusLevel.Status,
        code: NetStatusCode.PublishStart,
        description: hooks.startDescription,
      };
      answer(encodeOnStatus(status), FAKE_STREAM_ID);
      hooks.onPublish(command, answer);
    }
  });
  socket.on('data', (data: Buffer) => {
    if (hooks.onData?.(data) === false) return;
    let rest = data;
    if (!handshake.complete) {
      const progress = handshake.push(data);
      if (progress.output !== undefined) socket.write(progress.output);
      if (!progress.complete) return;
      rest = progress.rest;
    }
    if (rest.length > 0) reader.push(rest);
  });
}
