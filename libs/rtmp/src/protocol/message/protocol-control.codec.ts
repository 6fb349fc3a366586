import { ByteReader } from '../buffer/byte-reader';
import { assertUint } from './assert-uint';
import { MessageDecodeError } from './message-decode.error';
import { PeerBandwidthLimit, SetPeerBandwidth } from './peer-bandwidth-limit';

/*
 * Protocol control messages, types 1, 2, 3, 5 and 6 (SPEC §5.4). Each payload is a few fixed
 * fields; bytes after them are ignored, as FFmpeg and nginx do, so a peer padding its control
 * messages still talks to us. A payload too short for its fields throws `TruncatedDataError`.
 */

/** Largest chunk size the 31 usable bits of SetChunkSize can carry. */
export const MAX_CHUNK_SIZE_VALUE = 0x7fffffff;

/**
 * SetChunkSize (1): the chunk size the peer will use from now on, 1..0x7FFFFFFF. The top bit
 * must be 0 and 0 is meaningless; both throw. Checking the value against the configured limit
 * is the chunk reader's job.
 */
export function decodeSetChunkSize(payload: Buffer): number {
  const value = new ByteReader(payload, 'SetChunkSize').u32();
  if (value > MAX_CHUNK_SIZE_VALUE) {
    throw new MessageDecodeError('SetChunkSize', 'the top bit must be 0', { value });
  }
  if (value === 0) {
    throw new MessageDecodeError('SetChunkSize', 'a chunk size of 0 is invalid', { value });
  }
  return value;
}

export function encodeSetChunkSize(chunkSize: number): Buffer {
  assertUint(chunkSize, 32, 'chunk size');
  if (chunkSize === 0 || chunkSize > MAX_CHUNK_SIZE_VALUE) {
    throw new RangeError(`chunk size must be in 1..${MAX_CHUNK_SIZE_VALUE}, got ${chunkSize}`);
  }
  return u32Payload(chunkSize);
}

/**
 * Abort (2): the chunk stream whose partial message must be dropped. Returned as sent, even
 * outside 2..65599: aborting a chunk stream that holds nothing is harmless.
 */
export function decodeAbort(payload: Buffer): number {
  return new ByteReader(payload, 'Abort').u32();
}

export function encodeAbort(chunkStreamId: number): Buffer {
  assertUint(chunkStreamId, 32, 'chunk stream id');
  return u32Payload(chunkStreamId);
}

/** Acknowledgement (3): the bytes the peer has received so far (its sequence number). */
export function decodeAcknowledgement(payload: Buffer): number {
  return new ByteReader(payload, 'Acknowledgement').u32();
}

export function encodeAcknowledgement(sequenceNumber: number): Buffer {
  assertUint(sequenceNumber, 32, 'sequence number');
  return u32Payload(sequenceNumber);
}

/**
 * WindowAcknowledgementSize (5): how many bytes we may receive between Acknowledgements. Any
 * value is returned, 0 included; what to make of an odd window is the session's decision.
 */
export function decodeWindowAcknowledgementSize(payload: Buffer): number {
  return new ByteReader(payload, 'WindowAcknowledgementSize').u32();
}

export function encodeWindowAcknowledgementSize(windowSize: number): Buffer {
  assertUint(windowSize, 32, 'window size');
  return u32Payload(windowSize);
}

/**
 * SetPeerBandwidth (6): window (u32) and limit type (u8). An unknown limit type decodes as
 * `Dynamic`, the weakest instruction and the one every server sends: no client enforces this
 * message (notes P3), so failing the connection over it would only lose streams.
 */
export function decodeSetPeerBandwidth(payload: Buffer): SetPeerBandwidth {
  const reader = new ByteReader(payload, 'SetPeerBandwidth');
  const windowSize = reader.u32();
  const rawLimit = reader.u8();
  const limitType =
    rawLimit === PeerBandwidthLimit.Hard || rawLimit === PeerBandwidthLimit.Soft
      ? rawLimit
      : PeerBandwidthLimit.Dynamic;
  return { windowSize, limitType };
}

export function encodeSetPeerBandwidth(value: SetPeerBandwidth): Buffer {
  assertUint(value.windowSize, 32, 'window size');
  assertUint(value.limitType, 8, 'limit type');
  const payload = Buffer.allocUnsafe(5);
  payload.writeUInt32BE(value.windowSize, 0);
  payload[4] = value.limitType;
  return payload;
}

function u32Payload(value: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(value, 0);
  return payload;
}
