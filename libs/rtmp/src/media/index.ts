export * from './bounded-packet-queue';
export * from './copy-packet';
export * from './flv-packet-writer';
export * from './listener-set';
export * from './media-packet';
export * from './stream-end';
