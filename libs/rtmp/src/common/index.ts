export * from './mask-stream-key';
