import { hex } from '../amf/testing/hex';
import { ChunkStreamError } from '../errors/chunk-stream.error';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { expectRtmpError } from '../message/testing/expect-rtmp-error';
import { ChunkReader } from './chunk-reader';
import { readAll } from './testing/chunk-feed';

/* How the reader opens chunk streams (chunk-stream-table.ts): which header may, and how many. */

describe('ChunkReader: opening chunk streams', () => {
  it('lets a chunk stream open with fmt 1 and borrows the last msid (srs#1006)', () => {
    const { messages } = readAll([hex('04 000000 000001 08 01000000 01 45 000021 000001 09 02')]);
    expect(messages[1]).toMatchObject({ chunkStreamId: 5, messageStreamId: 1, timestamp: 0x21 });
  });

  it('refuses a chunk stream that opens with fmt 2 or fmt 3', () => {
    for (const input of ['85 000000', 'c5']) {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex(input)),
        ChunkStreamError,
        RtmpErrorCode.ChunkNoPreviousHeader,
      );
    }
  });

  it('refuses more chunk streams than maxChunkStreams', () => {
    const reader = new ChunkReader(() => undefined, { maxChunkStreams: 3 });
    reader.push(hex('02 000000 000000 14 00000000 03 000000 000000 14 00000000'));
    reader.push(hex('04 000000 000000 14 00000000'));
    expectRtmpError(
      () => reader.push(hex('05 000000 000000 14 00000000')),
      ProtocolLimitError,
      RtmpErrorCode.ChunkStreamsExceeded,
    );
  });
});
