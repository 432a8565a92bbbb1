export * from './answer-cache.ts';
export * from './same-question.ts';
