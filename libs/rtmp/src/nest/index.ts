export * from './missing-verifier.error';
export * from './rtmp-module-options.interface';
export * from './rtmp-server.service';
export * from './rtmp-stream';
export * from './rtmp.module';
export { RTMP_MODULE_OPTIONS } from './rtmp.module-definition';
export type { RtmpModuleExtras } from './rtmp.module-definition';
export * from './stream-key-verifier';
