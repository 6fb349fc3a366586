import { hex } from '../amf/testing/hex';
import { ChunkStreamError } from '../errors/chunk-stream.error';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { MessageType } from '../message/message-type';
import { expectRtmpError } from '../message/testing/expect-rtmp-error';
import { ChunkReader } from './chunk-reader';
import { readAll } from './testing/chunk-feed';

/*
 * SetChunkSize and Abort as the reader applies them (chunk-control.ts): at the byte where they
 * end, since the very next chunk may depend on them, and refused when their payload is unusable.
 */

describe('ChunkReader: SetChunkSize and Abort', () => {
  describe('applied where they end', () => {
    it('applies SetChunkSize at the byte where it ends, within the same buffer', () => {
      const payload = Buffer.alloc(4096, 9);
      const input = Buffer.concat([
        hex('02 000000 000004 01 00000000 00001000'),
        hex('06 000000 001000 09 01000000'),
        payload,
      ]);
      const { messages, reader } = readAll([input]);
      expect(reader.chunkSize).toBe(4096);
      expect(messages.map((m) => m.typeId)).toEqual([MessageType.SetChunkSize, 9]);
      expect(messages[1].payload.equals(payload)).toBe(true);
    });

    it('ignores the reserved top bit of SetChunkSize', () => {
      const { reader } = readAll([hex('02 000000 000004 01 00000000 80000100')]);
      expect(reader.chunkSize).toBe(256);
    });

    it('drops the unfinished message of the chunk stream named by Abort', () => {
      const input = Buffer.concat([
        hex('06 000000 0000c8 09 01000000'),
        Buffer.alloc(128, 1),
        hex('02 000000 000004 02 00000000 00000006'),
        hex('06 000000 000001 08 01000000 05'),
      ]);
      const { messages, reader } = readAll([input]);
      expect(messages.map((m) => m.typeId)).toEqual([MessageType.Abort, 8]);
      expect(messages[1].payload.toString('hex')).toBe('05');
      expect(reader.pendingMessageBytes).toBe(0);
    });
  });

  describe('payloads it refuses', () => {
    it('refuses SetChunkSize 0x7FFFFFFF before a huge message can be buffered', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () =>
          reader.push(hex('02 000000 000004 01 00000000 7fffffff 06 000000 ffffff 09 01000000')),
        ProtocolLimitError,
        RtmpErrorCode.ChunkSizeTooLarge,
      );
      expect(reader.pendingMessageBytes).toBe(0);
    });

    it('refuses SetChunkSize 0', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex('02 000000 000004 01 00000000 00000000')),
        ChunkStreamError,
        RtmpErrorCode.ChunkSizeInvalid,
      );
    });

    it('refuses a SetChunkSize shorter than 4 bytes', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex('02 000000 000002 01 00000000 0010')),
        ChunkStreamError,
        RtmpErrorCode.ChunkSizeInvalid,
      );
    });

    it('refuses an Abort shorter than 4 bytes', () => {
      const reader = new ChunkReader(() => undefined);
      expectRtmpError(
        () => reader.push(hex('02 000000 000001 02 00000000 06')),
        ChunkStreamError,
        RtmpErrorCode.MessageMalformed,
      );
    });
  });
});
