/** Message header length by chunk fmt 0..3 (SPEC §5.3.1.2). */
export const MESSAGE_HEADER_LENGTH: readonly number[] = [11, 7, 3, 0];

/** A 24-bit timestamp field holding this value means a 4-byte extended timestamp follows. */
export const EXTENDED_TIMESTAMP_MARKER = 0xffffff;

/** Basic header (3) + fmt 0 message header (11) + extended timestamp (4). */
export const MAX_CHUNK_HEADER_SIZE = 18;

/** Chunk stream ids below this use the 1-byte basic header; they are looked up in an array. */
export const LOW_CHUNK_STREAM_IDS = 64;

/** Highest chunk stream id the 3-byte basic header can carry. */
export const MAX_CHUNK_STREAM_ID = 65599;

/** Lowest chunk stream id a message may use (0 and 1 select the longer basic headers). */
export const MIN_CHUNK_STREAM_ID = 2;
