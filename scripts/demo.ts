/**
 * `npm run demo`: indexes the bundled field guide with the offline defaults and answers a handful
 * of golden-set questions with citations, showing an out-of-scope question abstain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatAnswer } from '../src/cli/format-answer.ts';
import { loadConfig } from '../src/config/index.ts';
import { ask, ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import { openSqliteTraces } from '../src/store/sqlite/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.join(root, 'corpus', 'field-guide');
const { config } = loadConfig({ cwd: root });
const indexPath = path.join(root, '.cairn', 'demo.db');

const { store, embedder } = openIndex({
  indexPath,
  createDirectories: true,
  fallbackEmbedder: config.embedder.model,
  endpoint: { threads: ingestThreads() },
});
const traceStore = openSqliteTraces(indexPath);
process.stdout.write(`Indexing ${path.relative(root, corpus)} into ${path.relative(root, indexPath)}...\n`);
const summary = await ingestPath({ store, embedder, chunking: config.chunking, inputPath: corpus });
process.stdout.write(
  `${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed.length} failed ` +
    `(${summary.chunksWritten} chunks embedded in ${(summary.totalMs / 1000).toFixed(1)} s)\n`,
);

const golden = fs
  .readFileSync(path.join(root, 'corpus', 'golden.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { id: string; question: string; tags: string[]; split: string });
// A spread of topics, then two adversarial kinds: a conflict and an out-of-scope question.
const DEMO_IDS = [
  'hybrid-retrieval-and-rrf-q1',
  'cost-and-latency-q1',
  'document-loading-and-parsing-q3',
  'guardrails-pii-q2',
  'conflict-q2',
  'out-of-scope-q3',
];
const picks = DEMO_IDS.map((id) => golden.find((item) => item.id === id)).filter(
  (item) => item !== undefined,
);

const answerer = createExtractiveAnswerer({
  embedder,
  maxSentences: config.answerer.maxSentences,
  ...(config.answerer.abstainThreshold === undefined
    ? {}
    : { abstainThreshold: config.answerer.abstainThreshold }),
});
for (const item of picks) {
  process.stdout.write(`\n━━ ${item.id} · ${item.question}\n`);
  const result = await ask({
    store,
    embedder,
    answerer,
    traceStore,
    question: item.question,
    retrieval: { mode: config.retrieval.mode, k: config.retrieval.k, fusion: config.retrieval.fusion },
  });
  process.stdout.write(formatAnswer(result));
}
process.stdout.write(
  `\nAsk your own: npx cairn ask "<question>" --index ${path.relative(root, indexPath)}\n`,
);
await traceStore.close();
await store.close();
