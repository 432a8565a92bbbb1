/**
 * Chooses the default chunking by measurement: every candidate config is indexed once (cached in
 * bench/results), scored on the SciFact *train* split, and the winner is picked on train only;
 * test-split numbers are printed beside it for reporting, never for choosing.
 *
 *   npx tsx bench/chunking-sweep.ts [--embedder local]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChunkingConfig } from '../src/chunk/index.ts';
import { embedMany } from '../src/embed/index.ts';
import { chunkingFingerprint, ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { type BeirQuerySet, evaluateRetrieval, loadBeirQuerySet } from '../src/evaluate/index.ts';
import type { FusionOptions, RetrievalMode } from '../src/retrieve/index.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { RESULTS_DIR, scifactDir } from './lib/shared-data.ts';

const { values } = parseArgs({ options: { embedder: { type: 'string', default: 'local' } } });

const candidates: ChunkingConfig[] = [
  { strategy: 'structure', maxTokens: 128, overlapTokens: 0, childMaxTokens: 64 },
  { strategy: 'structure', maxTokens: 256, overlapTokens: 0, childMaxTokens: 64 },
  { strategy: 'structure', maxTokens: 512, overlapTokens: 0, childMaxTokens: 64 },
  { strategy: 'token-window', maxTokens: 256, overlapTokens: 32, childMaxTokens: 64 },
  { strategy: 'parent-child', maxTokens: 512, overlapTokens: 0, childMaxTokens: 128 },
];
const variants: { name: string; mode: RetrievalMode; fusion?: FusionOptions }[] = [
  { name: 'bm25', mode: 'bm25' },
  { name: 'dense', mode: 'dense' },
  { name: 'rrf k60', mode: 'hybrid', fusion: { method: 'rrf', k: 60 } },
  { name: 'weighted .1', mode: 'hybrid', fusion: { method: 'weighted', alpha: 0.1 } },
  { name: 'weighted .2', mode: 'hybrid', fusion: { method: 'weighted', alpha: 0.2 } },
  { name: 'weighted .3', mode: 'hybrid', fusion: { method: 'weighted', alpha: 0.3 } },
];

const dataset = scifactDir();
const splits = { train: loadBeirQuerySet(dataset, 'train'), test: loadBeirQuerySet(dataset, 'test') };
const queryVectors = new Map<string, Map<string, Float32Array>>();
const rows: (string | number)[][] = [];
let best: { config: string; variant: string; train: number; test: number } | undefined;

for (const chunking of candidates) {
  const fingerprint = chunkingFingerprint(chunking);
  const indexPath = path.join(
    RESULTS_DIR,
    `scifact-${values.embedder.replace(/[^A-Za-z0-9.-]+/g, '_')}-${fingerprint.replace(/\//g, '_')}.db`,
  );
  const { store, embedder } = openIndex({
    indexPath,
    createDirectories: true,
    embedder: values.embedder,
    endpoint: { threads: ingestThreads() },
  });
  const ingest = await ingestPath({ store, embedder, chunking, inputPath: splits.test.corpusPath });
  const chunks = await store.countChunks('default');
  process.stderr.write(
    `${fingerprint}: ${chunks} chunks (${ingest.added + ingest.updated} documents embedded now)\n`,
  );
  for (const [split, set] of Object.entries(splits) as [string, BeirQuerySet][]) {
    if (!queryVectors.has(split)) {
      const { embeddings } = await embedMany(
        embedder,
        set.queries.map((query) => query.text),
      );
      queryVectors.set(
        split,
        new Map(set.queries.map((query, index) => [query.id, embeddings[index] as Float32Array])),
      );
    }
  }
  for (const variant of variants) {
    const scores: Record<string, number> = {};
    for (const [split, set] of Object.entries(splits) as [string, BeirQuerySet][]) {
      const result = await evaluateRetrieval({
        store,
        embedder,
        querySet: set,
        mode: variant.mode,
        queryEmbeddings: queryVectors.get(split) as Map<string, Float32Array>,
        ...(variant.fusion ? { fusion: variant.fusion } : {}),
      });
      scores[split] = result['ndcg@10'];
    }
    const train = scores.train as number;
    const test = scores.test as number;
    rows.push([fingerprint, chunks, variant.name, fixed(train), fixed(test)]);
    if (variant.mode === 'hybrid' && (!best || train > best.train))
      best = { config: fingerprint, variant: variant.name, train, test };
  }
  await store.close();
}

console.log(
  `\nSciFact nDCG@10 by chunking and retrieval (train: ${splits.train.queries.length} queries, test: ${splits.test.queries.length})\n`,
);
console.log(markdownTable(['chunking', 'chunks', 'retrieval', 'train nDCG@10', 'test nDCG@10'], rows));
if (best) {
  console.log(
    `\nbest hybrid on train: ${best.config} with ${best.variant} (train ${fixed(best.train)}, test ${fixed(best.test)})`,
  );
}
