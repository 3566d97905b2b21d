export * from './errors';
export * from './schemas';
export * from './events';
export * from './prekeys';
