export * from './api-keys.ts';
export * from './chat-completions.ts';
export * from './create-app.ts';
export * from './error-response.ts';
export * from './index-lock.ts';
export * from './ingest-jobs.ts';
export * from './metrics.ts';
export * from './token-bucket.ts';
