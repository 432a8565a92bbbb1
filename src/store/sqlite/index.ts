export * from './read-index-info.ts';
export * from './sqlite-feedback-store.ts';
export * from './sqlite-store.ts';
export * from './sqlite-trace-store.ts';
export * from './vector-bytes.ts';
