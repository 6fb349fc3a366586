import { ChunkStreamError } from '../errors/chunk-stream.error';
import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';

/*
 * SetChunkSize and Abort as the chunk reader reads them, at the byte where they end. Not
 * protocol-control.codec's decoders: the reader ignores SetChunkSize's top bit as FFmpeg does,
 * and a payload it cannot use breaks the chunk framing, so it fails with the chunk codes.
 */

/** The chunk size a SetChunkSize payload sets, checked against `maxChunkSize`. */
export function readChunkSize(
  payload: Buffer,
  chunkStreamId: number,
  maxChunkSize: number,
): number {
  if (payload.length < 4) {
    throw new ChunkStreamError(
      RtmpErrorCode.ChunkSizeInvalid,
      `SetChunkSize payload is ${payload.length} byte(s), needs 4`,
      { chunkStreamId, length: payload.length },
    );
  }
  // The top bit must be zero (SPEC §5.4.1); ignore it as FFmpeg does, then range-check.
  const size = payload.readUInt32BE(0) & 0x7fffffff;
  if (size < 1) {
    throw new ChunkStreamError(RtmpErrorCode.ChunkSizeInvalid, 'SetChunkSize of 0', {
      chunkStreamId,
    });
  }
  if (size > maxChunkSize) {
    throw new ProtocolLimitError(
      RtmpErrorCode.ChunkSizeTooLarge,
      'maxChunkSize',
      size,
      maxChunkSize,
    );
  }
  return size;
}

/** The chunk stream an Abort payload names. */
export function readAbortedChunkStream(payload: Buffer, chunkStreamId: number): number {
  if (payload.length < 4) {
    throw new ChunkStreamError(
      RtmpErrorCode.MessageMalformed,
      `Abort payload is ${payload.length} byte(s), needs 4`,
      { chunkStreamId, length: payload.length },
    );
  }
  return payload.readUInt32BE(0);
}
