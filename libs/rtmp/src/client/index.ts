export type { PermanentFailureReason } from './permanent-failure';
export * from './rtmp-client.error';
export * from './rtmp-play-client';
export * from './rtmp-publish-client';
export * from './rtmp-url';
export * from './rtmp-url.error';
export * from './stream-relay';
export * from './stream-relay.error';
export * from './stream-pull';
