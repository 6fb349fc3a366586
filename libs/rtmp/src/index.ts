export * from './client';
export * from './nest';
export * from './protocol';
export * from './server';
