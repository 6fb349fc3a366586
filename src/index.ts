// The package's public entry: everything users import comes through here.
export * from '../libs/rtmp/src';
