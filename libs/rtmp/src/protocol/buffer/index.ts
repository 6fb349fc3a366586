export * from './byte-reader';
export * from './byte-writer';
