export * from './client';
export * from './media';
export * from './nest';
export * from './protocol';
export * from './server';
