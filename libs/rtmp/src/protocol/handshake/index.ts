export * from './client-handshake';
export * from './handshake-digest';
export * from './handshake.constants';
export * from './handshake.error';
export * from './handshake.types';
export * from './server-handshake';
