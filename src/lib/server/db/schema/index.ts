export * from './auth';
export * from './groups';
export * from './audit';
export * from './realtime';
