export * from './answer-cache.ts';
