// The library: what `import … from 'cairn'` gives another project. The CLI, server and benches
// build on the same modules but are not part of this surface.
export * from './config/index.ts';
export * from './engine/index.ts';
export { createContextualExtractiveAnswerer } from './generate/contextual-extractive-answerer.ts';
export { createExtractiveAnswerer } from './generate/extractive-answerer.ts';
export { createLlmAnswerer } from './generate/llm-answerer.ts';
export * from './generate/providers/index.ts';
export {
  detectInjection,
  detectPii,
  redactPii,
  redactResult,
  screenPassages,
  screenQuestion,
} from './guard/index.ts';
export { retrieve } from './retrieve/index.ts';
export * from './spec/index.ts';
export { openDomains, openStorage } from './store/open-storage.ts';
export { openPostgresStore } from './store/postgres/index.ts';
export { openSqliteStore } from './store/sqlite/index.ts';
