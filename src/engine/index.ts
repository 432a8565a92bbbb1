export * from './ask.ts';
export * from './ingest-path.ts';
export * from './open-index.ts';
export * from './search.ts';
