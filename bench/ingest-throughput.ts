/**
 * Ingest throughput on SciFact next to the raw embedder throughput on the very same chunk texts,
 * measured in one run, so the pipeline's own overhead (loading, chunking, SQLite writes) shows.
 * Then re-ingests the unchanged corpus and compares the time.
 *
 *   npx tsx bench/ingest-throughput.ts [--docs 1500] [--embedder local] [--no-injection-scan]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createChunker, DEFAULT_CHUNKING } from '../src/chunk/index.ts';
import { embedMany } from '../src/embed/index.ts';
import { ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { loadBeirCorpus } from '../src/ingest/index.ts';
import { embedderId } from '../src/spec/index.ts';
import { searchableText } from '../src/store/sqlite/index.ts';
import { reportFigure } from './lib/figures.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { scifactDir } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1500' },
    embedder: { type: 'string', default: 'local' },
    // Off, to see what the prompt-injection scan of each document costs.
    'no-injection-scan': { type: 'boolean', default: false },
  },
});
const limit = Number(values.docs);

// A temporary corpus of the first N SciFact records (outside the repo, deleted at the end).
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-throughput-'));
const corpusPath = path.join(workDir, 'corpus.jsonl');
const lines = fs
  .readFileSync(path.join(scifactDir(), 'corpus.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, limit);
fs.writeFileSync(corpusPath, `${lines.join('\n')}\n`);

const { store, embedder } = openIndex({
  indexPath: path.join(workDir, 'index.db'),
  embedder: values.embedder,
  endpoint: { threads: ingestThreads() },
});

// 1. Raw embedder: the exact texts ingest will embed, in the same batch size, nothing else.
const chunker = createChunker(DEFAULT_CHUNKING);
const texts: string[] = [];
for await (const result of loadBeirCorpus(corpusPath)) {
  if (!result.ok) continue;
  for (const chunk of chunker.chunk(result.document)) {
    if (chunk.role !== 'parent') texts.push(searchableText(result.document.title, chunk));
  }
}
await embedMany(embedder, texts.slice(0, 64)); // load the model (and its worker threads) first
const rawStarted = performance.now();
for (let start = 0; start < texts.length; start += 64)
  await embedMany(embedder, texts.slice(start, start + 64));
const rawMs = performance.now() - rawStarted;

// 2. The full pipeline into a fresh index.
const scanInjection = !values['no-injection-scan'];
const first = await ingestPath({
  store,
  embedder,
  chunking: DEFAULT_CHUNKING,
  inputPath: corpusPath,
  scanInjection,
});
// 3. The same corpus again, unchanged.
const second = await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: corpusPath });
await store.close();
fs.rmSync(workDir, { recursive: true, force: true });

const seconds = (ms: number) => ms / 1000;
console.log(
  `\nSciFact first ${lines.length} documents, ${texts.length} chunks, embedder ${embedderId(embedder)} ` +
    `(${ingestThreads()} threads), chunking ${DEFAULT_CHUNKING.strategy}-${DEFAULT_CHUNKING.maxTokens}, ${os.cpus().length} cores\n`,
);
console.log(
  markdownTable(
    ['run', 'seconds', 'docs/s', 'chunks/s', 'note'],
    [
      [
        'raw embedder (same texts, batches of 64)',
        fixed(seconds(rawMs), 1),
        '—',
        fixed(texts.length / seconds(rawMs), 1),
        'no loading, chunking or storage',
      ],
      [
        'cairn ingest, fresh index',
        fixed(seconds(first.totalMs), 1),
        fixed(lines.length / seconds(first.totalMs), 1),
        fixed(first.chunksWritten / seconds(first.totalMs), 1),
        `embedder time inside: ${fixed(seconds(first.embedMs), 1)} s`,
      ],
      [
        'cairn re-ingest, unchanged',
        fixed(seconds(second.totalMs), 2),
        fixed(lines.length / seconds(second.totalMs), 0),
        '—',
        `${second.unchanged} unchanged`,
      ],
    ],
  ),
);
reportFigure('ingest-throughput.overhead-percent', ((first.totalMs - rawMs) / first.totalMs) * 100);
console.log(
  `\npipeline overhead vs raw embedder: ${fixed(((first.totalMs - rawMs) / first.totalMs) * 100, 1)}% of ingest time (target < 15%)` +
    `\nre-ingest of the unchanged corpus: ${fixed((second.totalMs / first.totalMs) * 100, 2)}% of the first ingest (target < 5%)`,
);
