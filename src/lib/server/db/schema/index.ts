export * from './auth';
export * from './groups';
export * from './audit';
export * from './realtime';
export * from './prompts';
export * from './moderation';
export * from './calendar';
export * from './trends';
