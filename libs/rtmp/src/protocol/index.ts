// The pure protocol core: bytes in, typed values out. No sockets, no Nest, no RxJS.
export * from './amf';
export * from './buffer';
export * from './chunk';
export * from './command';
export * from './errors';
export * from './flv';
export * from './handshake';
export * from './limits';
export * from './message';
