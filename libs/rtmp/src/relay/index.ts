export type { PermanentFailureReason } from './permanent-failure';
export * from './stream-relay';
export * from './stream-relay.error';
export * from './stream-pull';
