export * from './rtmp-client.error';
export * from './rtmp-play-client';
export * from './rtmp-publish-client';
export * from './rtmp-url';
export * from './rtmp-url.error';
