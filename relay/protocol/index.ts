export * from './errors';
export * from './schemas';
export * from './events';
export * from './acks';
export * from './prekeys';
