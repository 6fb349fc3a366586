export * from './chunk-stream.error';
export * from './protocol-limit.error';
export * from './rtmp-error';
export * from './rtmp-error-code';
export * from './truncated-data.error';
