// The package's public entry (`nestjs-rtmp`): the names libs/rtmp/src/index.ts lists.
export * from '../libs/rtmp/src';
