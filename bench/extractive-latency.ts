/**
 * Extractive answering latency over SciFact abstracts: the milliseconds one answer takes, split
 * into time spent embedding and the rest (sentence splitting, scoring, selection), and how long
 * the main thread was busy (event-loop utilisation), p50 and p95. `--in-process` runs the local
 * model on the main thread, as cairn did before the model moved to a worker.
 *
 *   npx tsx bench/extractive-latency.ts [--embedder local|hashing] [--in-process] [--passages 8] [--questions 30]
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEmbedder, createLocalEmbedder } from '../src/embed/index.ts';
import { loadBeirQuerySet } from '../src/evaluate/index.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import type { EmbeddingModel, Passage } from '../src/spec/index.ts';
import { scifactDir } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    embedder: { type: 'string', default: 'local' },
    passages: { type: 'string', default: '8' },
    questions: { type: 'string', default: '30' },
    'in-process': { type: 'boolean', default: false },
  },
});

const dataset = scifactDir();
const querySet = loadBeirQuerySet(dataset, 'test');
const corpus = new Map<string, { title: string; text: string }>();
for (const line of fs.readFileSync(path.join(dataset, 'corpus.jsonl'), 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const record = JSON.parse(line) as { _id: string; title: string; text: string };
  corpus.set(record._id, { title: record.title, text: record.text });
}
const docIds = [...corpus.keys()];

let embedMs = 0;
const inner =
  values.embedder === 'local'
    ? createLocalEmbedder({ inProcess: values['in-process'] })
    : createEmbedder(values.embedder);
const embedder: EmbeddingModel = {
  ...inner,
  async doEmbed(options) {
    const started = performance.now();
    try {
      return await inner.doEmbed(options);
    } finally {
      embedMs += performance.now() - started;
    }
  },
};
const answerer = createExtractiveAnswerer({ embedder });

// Passages: the judged documents first, then fillers, as retrieval would hand them over.
const passagesFor = (index: number, relevant: string[]): Passage[] => {
  const ids = [...relevant];
  for (let step = 0; ids.length < Number(values.passages); step++)
    ids.push(docIds[(index * 7919 + step * 104729) % docIds.length] as string);
  return ids.map((docId, position) => {
    const doc = corpus.get(docId) ?? { title: '', text: '' };
    return {
      n: position + 1,
      chunkId: `${docId}#0`,
      docId,
      source: docId,
      title: doc.title,
      text: doc.text,
      score: 1 / (position + 1),
      metadata: {} as Passage['metadata'],
    };
  });
};

const total: number[] = [];
const embedding: number[] = [];
const mainThread: number[] = [];
const queries = querySet.queries.slice(0, Number(values.questions));
// One warm-up so the model load is not counted.
await answerer.answer({ question: 'warm up', passages: passagesFor(0, []) });
for (const [index, query] of queries.entries()) {
  const relevant = [...(querySet.judgements.get(query.id)?.keys() ?? [])].filter((id) => corpus.has(id));
  const passages = passagesFor(index, relevant);
  embedMs = 0;
  const started = performance.now();
  const loopBefore = performance.eventLoopUtilization();
  await answerer.answer({ question: query.text, passages });
  total.push(performance.now() - started);
  mainThread.push(performance.eventLoopUtilization(loopBefore).active);
  embedding.push(embedMs);
}
const percentile = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
};
const rest = total.map((ms, index) => ms - (embedding[index] ?? 0));
process.stdout.write(
  `${queries.length} answers, ${values.passages} passages each, embedder ${values.embedder}${values['in-process'] ? ' (in-process)' : ''}\n` +
    `  total     p50 ${percentile(total, 0.5).toFixed(1)} ms  p95 ${percentile(total, 0.95).toFixed(1)} ms\n` +
    `  embedding p50 ${percentile(embedding, 0.5).toFixed(1)} ms  p95 ${percentile(embedding, 0.95).toFixed(1)} ms\n` +
    `  other     p50 ${percentile(rest, 0.5).toFixed(1)} ms  p95 ${percentile(rest, 0.95).toFixed(1)} ms\n` +
    `  main thread busy p50 ${percentile(mainThread, 0.5).toFixed(1)} ms  p95 ${percentile(mainThread, 0.95).toFixed(1)} ms\n`,
);
await (inner as { close?: () => Promise<void> }).close?.();
