// The package's `nestjs-rtmp/protocol` entry: the pure protocol codec (AMF0/AMF3, handshake,
// chunk reader and writer, messages, commands, FLV and Enhanced RTMP tags, FLV files), for
// those who build their own tools. Bytes in, typed values out: no sockets, Nest or RxJS.
export * from '../libs/rtmp/src/protocol';
