export * from './client';
export * from './common';
export * from './media';
export * from './nest';
export * from './protocol';
export * from './relay';
export * from './server';
