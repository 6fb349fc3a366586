export * from './chunk-reader';
export * from './chunk-writer';
export * from './chunk-memory-budget';
export { MAX_CHUNK_STREAM_ID, MIN_CHUNK_STREAM_ID, MAX_CHUNK_HEADER_SIZE } from './chunk.constants';
