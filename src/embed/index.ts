export * from './batching-embedder.ts';
export * from './create-embedder.ts';
export * from './embed-many.ts';
export * from './hashing-embedder.ts';
export * from './local-embedder.ts';
export * from './normalize-vector.ts';
export * from './openai-compatible-embedder.ts';
