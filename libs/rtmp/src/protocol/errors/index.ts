export * from './rtmp-error';
export * from './rtmp-error-code';
export * from './truncated-data.error';
