import { ChunkReader } from '../chunk/chunk-reader';
import { ChunkWriter } from '../chunk/chunk-writer';
import {
  createCommandMessage,
  createConnectionCommandMessage,
  createStreamCommandMessage,
} from './command-message.factory';
import { ChunkStreamId, MessageType } from './message-type';
import { RtmpMessage } from './rtmp-message';

describe('command message factory', () => {
  const payload = Buffer.from([0x02, 0x00, 0x07, ...Buffer.from('_result')]);

  it('puts NetConnection commands on message stream 0, chunk stream 3', () => {
    expect(createConnectionCommandMessage(payload)).toEqual({
      chunkStreamId: ChunkStreamId.Command,
      messageStreamId: 0,
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      payload,
    });
  });

  it("puts a stream's commands and status events on its id, chunk stream 5", () => {
    expect(createStreamCommandMessage(1, payload)).toEqual({
      chunkStreamId: ChunkStreamId.Status,
      messageStreamId: 1,
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      payload,
    });
  });

  it('picks by message stream id: 0 is the NetConnection', () => {
    expect(createCommandMessage(0, payload)).toEqual(createConnectionCommandMessage(payload));
    expect(createCommandMessage(7, payload)).toEqual(createStreamCommandMessage(7, payload));
  });

  it('round-trips through the chunk writer and reader', () => {
    const received: RtmpMessage[] = [];
    const reader = new ChunkReader((message) => received.push(message));
    const writer = new ChunkWriter();
    const sent = [createConnectionCommandMessage(payload), createStreamCommandMessage(1, payload)];
    for (const message of sent) for (const part of writer.encode(message)) reader.push(part);
    expect(
      received.map(({ payload: body, ...fields }) => ({ ...fields, body: [...body] })),
    ).toEqual(sent.map(({ payload: body, ...fields }) => ({ ...fields, body: [...body] })));
  });
});
