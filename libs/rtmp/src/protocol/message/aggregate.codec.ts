import { MAX_WIRE_MESSAGE_SIZE } from '../limits';
import { assertUint } from './assert-uint';
import { MessageDecodeError } from './message-decode.error';
import { MessageType } from './message-type';
import { RtmpMessage } from './rtmp-message';

/*
 * Aggregate messages (type 22, SPEC §7.1.6): a run of FLV-tag-like sub-messages, each
 *   type u8 | data size u24 | timestamp u24 | timestamp upper bits u8 | stream id u24
 *   | body | back-pointer u32 (the previous sub-message's size, 11 + data size)
 */

/** Bytes of header before each sub-message body. */
export const AGGREGATE_HEADER_SIZE = 11;
/** Bytes of back-pointer after each sub-message body. */
export const AGGREGATE_BACK_POINTER_SIZE = 4;

/** What a sub-message of an aggregate carries before it is placed on a stream. */
export type AggregateSubMessage = Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>;

/**
 * Calls `visit` with each sub-message of an aggregate, in order, without building an array.
 *
 * - Sub-messages travel on the aggregate's chunk stream and message stream: the stream id in
 *   their headers is overridden (SPEC §7.1.6, as FFmpeg does).
 * - Timestamps are rebased: the first sub-message gets the aggregate's timestamp and each
 *   other keeps its offset from the first, modulo 2^32 (FFmpeg `handle_metadata`).
 * - Bodies are views of the aggregate's payload, not copies.
 * - Lenient: back-pointers are not checked (nothing depends on them), and a payload that ends
 *   inside the last back-pointer is accepted, since every body is already whole by then.
 * - A header or body running past the end throws a fatal {@link MessageDecodeError}. Sub-messages
 *   before the bad one have already been visited by then; the connection is closing anyway.
 *
 * Sub-message types are passed through unchecked: which types to accept is the caller's call.
 * Returns the number of sub-messages visited.
 */
export function forEachAggregateSubMessage(
  aggregate: RtmpMessage,
  visit: (message: RtmpMessage, index: number) => void,
): number {
  const { payload } = aggregate;
  let offset = 0;
  let index = 0;
  let firstTimestamp = 0;
  while (offset < payload.length) {
    const left = payload.length - offset;
    if (left < AGGREGATE_HEADER_SIZE) {
      throw new MessageDecodeError('Aggregate', `sub-message ${index} header is cut short`, {
        index,
        offset,
        available: left,
      });
    }
    const typeId = payload[offset];
    const size = payload.readUIntBE(offset + 1, 3);
    const timestamp = (payload[offset + 7] * 0x1000000 + payload.readUIntBE(offset + 4, 3)) >>> 0;
    const bodyStart = offset + AGGREGATE_HEADER_SIZE;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > payload.length) {
      throw new MessageDecodeError('Aggregate', `sub-message ${index} runs past the end`, {
        index,
        offset,
        size,
        available: payload.length - bodyStart,
      });
    }
    if (index === 0) firstTimestamp = timestamp;
    visit(
      {
        chunkStreamId: aggregate.chunkStreamId,
        messageStreamId: aggregate.messageStreamId,
        typeId,
        timestamp: (aggregate.timestamp + timestamp - firstTimestamp) >>> 0,
        payload: payload.subarray(bodyStart, bodyEnd),
      },
      index,
    );
    offset = Math.min(bodyEnd + AGGREGATE_BACK_POINTER_SIZE, payload.length);
    index++;
  }
  return index;
}

/** The sub-messages of an aggregate as an array; see {@link forEachAggregateSubMessage}. */
export function splitAggregate(aggregate: RtmpMessage): RtmpMessage[] {
  const messages: RtmpMessage[] = [];
  forEachAggregateSubMessage(aggregate, (message) => messages.push(message));
  return messages;
}

/**
 * Builds an aggregate payload. Header timestamps are written as given (absolute), so decoding
 * the result inside an aggregate stamped with the first sub-message's timestamp gives them back.
 * The header stream id is written as 0, as in FLV: the aggregate's own stream id overrides it.
 * Throws a RangeError for a field out of range or a result larger than a message can be.
 */
export function encodeAggregate(subMessages: readonly AggregateSubMessage[]): Buffer {
  let total = 0;
  for (const [index, sub] of subMessages.entries()) {
    assertUint(sub.typeId, 8, `sub-message ${index} type id`);
    assertUint(sub.timestamp, 32, `sub-message ${index} timestamp`);
    assertUint(sub.payload.length, 24, `sub-message ${index} size`);
    total += AGGREGATE_HEADER_SIZE + sub.payload.length + AGGREGATE_BACK_POINTER_SIZE;
  }
  if (total > MAX_WIRE_MESSAGE_SIZE) {
    throw new RangeError(`aggregate of ${total} bytes exceeds ${MAX_WIRE_MESSAGE_SIZE}`);
  }
  const payload = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const sub of subMessages) {
    const size = sub.payload.length;
    payload[offset] = sub.typeId;
    payload.writeUIntBE(size, offset + 1, 3);
    payload.writeUIntBE(sub.timestamp & 0xffffff, offset + 4, 3);
    payload[offset + 7] = sub.timestamp >>> 24;
    payload.writeUIntBE(0, offset + 8, 3);
    payload.set(sub.payload, offset + AGGREGATE_HEADER_SIZE);
    offset += AGGREGATE_HEADER_SIZE + size;
    payload.writeUInt32BE(AGGREGATE_HEADER_SIZE + size, offset);
    offset += AGGREGATE_BACK_POINTER_SIZE;
  }
  return payload;
}

/**
 * An aggregate message carrying `subMessages` on the given streams, stamped with the first
 * sub-message's timestamp (0 when empty) so a receiver restores every timestamp exactly.
 */
export function createAggregateMessage(
  subMessages: readonly AggregateSubMessage[],
  streams: Pick<RtmpMessage, 'chunkStreamId' | 'messageStreamId'>,
): RtmpMessage {
  return {
    chunkStreamId: streams.chunkStreamId,
    messageStreamId: streams.messageStreamId,
    typeId: MessageType.Aggregate,
    timestamp: subMessages[0]?.timestamp ?? 0,
    payload: encodeAggregate(subMessages),
  };
}
