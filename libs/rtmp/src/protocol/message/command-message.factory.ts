import { ChunkStreamId, MessageType } from './message-type';
import { RtmpMessage } from './rtmp-message';

/*
 * Complete AMF0 command messages ready for the chunk writer, on the chunk streams this library
 * writes commands with (see ChunkStreamId): NetConnection commands and their replies on message
 * stream 0 and chunk stream 3 (SPEC §7.1); a stream's commands and its onStatus events on that
 * stream's id and chunk stream 5, as nginx-rtmp writes them. A command's timestamp is 0.
 */

/** A NetConnection command or reply (`connect`, `createStream`, `_result`...). */
export function createConnectionCommandMessage(payload: Buffer): RtmpMessage {
  return {
    chunkStreamId: ChunkStreamId.Command,
    messageStreamId: 0,
    typeId: MessageType.CommandAmf0,
    timestamp: 0,
    payload,
  };
}

/** A NetStream command (`publish`, `play`...) or status event on message stream `streamId`. */
export function createStreamCommandMessage(streamId: number, payload: Buffer): RtmpMessage {
  return {
    chunkStreamId: ChunkStreamId.Status,
    messageStreamId: streamId,
    typeId: MessageType.CommandAmf0,
    timestamp: 0,
    payload,
  };
}

/** A command on message stream `streamId`: the NetConnection's for 0, else that stream's. */
export function createCommandMessage(streamId: number, payload: Buffer): RtmpMessage {
  return streamId === 0
    ? createConnectionCommandMessage(payload)
    : createStreamCommandMessage(streamId, payload);
}
