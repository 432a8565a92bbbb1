/**
 * Runs one system of the latency benchmark in its own process, so peak memory is its own.
 * Prints one JSON line: build time, per-mode p50/p95 with and without query embedding, max RSS.
 *   npx tsx bench/lib/latency-worker.ts <cairn|orama|minisearch|lancedb> <scifact|100k>
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalEmbedder, embed } from '../../src/embed/index.ts';
import { retrieve } from '../../src/retrieve/index.ts';
import type { CairnDocument, Chunk } from '../../src/spec/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { type LatencyCorpus, loadLatencyCorpus } from './latency-corpus.ts';
import { percentile } from './markdown-table.ts';
import { importPeer } from './peer-import.ts';

type Mode = 'bm25' | 'dense' | 'hybrid';
type Search = (query: string, vector: Float32Array) => Promise<unknown>;

const [system, size, queryLimit] = process.argv.slice(2) as [string, 'scifact' | '100k', string | undefined];
const loaded = await loadLatencyCorpus(size);
// Slow peers at 100k chunks take seconds per query; a smaller query sample keeps the run bounded.
const corpus = queryLimit
  ? {
      ...loaded,
      queries: loaded.queries.slice(0, Number(queryLimit)),
      queryVectors: loaded.queryVectors.slice(0, Number(queryLimit)),
    }
  : loaded;
const embedder = createLocalEmbedder();
const DIMENSIONS = 512;
const vectorAt = (index: number) => corpus.vectors.subarray(index * DIMENSIONS, (index + 1) * DIMENSIONS);

const buildStarted = performance.now();
const searches = await build(system, corpus);
const buildMs = performance.now() - buildStarted;

const results: Record<string, { p50: number; p95: number }> = {};
for (const [mode, search] of Object.entries(searches) as [Mode, Search][]) {
  for (const withEmbedding of [false, true]) {
    const samples: number[] = [];
    // Two passes; the first warms caches and JIT and is not recorded.
    for (const pass of [0, 1]) {
      for (const [index, query] of corpus.queries.entries()) {
        const started = performance.now();
        const vector = withEmbedding
          ? await embed(embedder, query)
          : (corpus.queryVectors[index] as Float32Array);
        await search(query, vector);
        if (pass === 1) samples.push(performance.now() - started);
      }
    }
    results[`${mode}${withEmbedding ? '+embed' : ''}`] = {
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
    };
  }
}
process.stdout.write(
  `${JSON.stringify({ system, size, chunks: corpus.texts.length, buildMs, maxRssMb: process.resourceUsage().maxRSS / 1024, results })}\n`,
);
process.exit(0);

async function build(name: string, data: LatencyCorpus): Promise<Partial<Record<Mode, Search>>> {
  switch (name) {
    case 'cairn':
      return buildCairn(data);
    case 'orama':
      return buildOrama(data);
    case 'minisearch':
      return buildMiniSearch(data);
    case 'lancedb':
      return buildLance(data);
    default:
      throw new TypeError(`unknown system ${name}`);
  }
}

async function buildCairn(data: LatencyCorpus): Promise<Partial<Record<Mode, Search>>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-latency-'));
  const store = openSqliteStore({
    path: path.join(dir, 'index.db'),
    embedder: { embedderId: 'local:use-lite-512', dimensions: DIMENSIONS },
  });
  // Group chunks by document and write each document in one transaction, as ingest does.
  const byDocument = new Map<string, number[]>();
  data.docIds.forEach((docId, index) => {
    byDocument.set(docId, [...(byDocument.get(docId) ?? []), index]);
  });
  for (const [docId, indexes] of byDocument) {
    const document: CairnDocument = {
      id: docId,
      source: `scifact#${docId}`,
      title: '',
      format: 'beir',
      text: '',
      blocks: [],
      contentHash: docId,
      metadata: {},
    };
    const chunks: Chunk[] = indexes.map((index, ordinal) => ({
      id: data.chunkIds[index] as string,
      docId,
      ordinal,
      role: 'leaf',
      text: data.texts[index] as string,
      tokenCount: 0,
      metadata: {},
    }));
    await store.upsertDocument({ namespace: 'default', document, chunks, embeddings: indexes.map(vectorAt) });
  }
  const run = (mode: Mode) => (query: string, vector: Float32Array) =>
    retrieve({ store, embedder, query, mode, k: 10, queryEmbedding: vector });
  return { bm25: run('bm25'), dense: run('dense'), hybrid: run('hybrid') };
}

async function buildOrama(data: LatencyCorpus): Promise<Partial<Record<Mode, Search>>> {
  const { create, insertMultiple, search } = await import('@orama/orama');
  const db = create({
    schema: { chunkId: 'string', text: 'string', embedding: `vector[${DIMENSIONS}]` } as const,
  });
  const records = data.texts.map((text, index) => ({
    chunkId: data.chunkIds[index] as string,
    text,
    embedding: Array.from(vectorAt(index)),
  }));
  await insertMultiple(db, records, 1000);
  return {
    bm25: async (term) => search(db, { term, properties: ['text'], limit: 10 }),
    dense: async (_term, vector) =>
      search(db, {
        mode: 'vector',
        vector: { value: Array.from(vector), property: 'embedding' },
        similarity: 0,
        limit: 10,
      }),
    hybrid: async (term, vector) =>
      search(db, {
        mode: 'hybrid',
        term,
        properties: ['text'],
        vector: { value: Array.from(vector), property: 'embedding' },
        similarity: 0,
        limit: 10,
      }),
  };
}

async function buildMiniSearch(data: LatencyCorpus): Promise<Partial<Record<Mode, Search>>> {
  const { default: MiniSearch } = await import('minisearch');
  const index = new MiniSearch({ fields: ['text'], storeFields: ['text'] });
  index.addAll(data.texts.map((text, id) => ({ id, text })));
  return { bm25: async (query) => index.search(query).slice(0, 10) };
}

/** The part of LanceDB's API this benchmark calls (the package lives in bench/peers, untyped here). */
interface LanceQuery {
  limit(n: number): LanceQuery;
  nearestTo(vector: Float32Array | number[]): LanceQuery;
  distanceType(type: 'cosine'): LanceQuery;
  fullTextSearch(query: string): LanceQuery;
  rerank(reranker: unknown): LanceQuery;
  toArray(): Promise<unknown[]>;
}
interface LanceDb {
  connect(dir: string): Promise<{
    createTable(
      name: string,
      rows: Record<string, unknown>[],
    ): Promise<{
      createIndex(column: string, options: { config: unknown }): Promise<void>;
      search(query: string, kind: 'fts'): LanceQuery;
      query(): LanceQuery;
    }>;
  }>;
  Index: { fts(): unknown };
  rerankers: { RRFReranker: { create(k: number): Promise<unknown> } };
}

async function buildLance(data: LatencyCorpus): Promise<Partial<Record<Mode, Search>>> {
  const lancedb = await importPeer<LanceDb>('@lancedb/lancedb');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-lance-'));
  const db = await lancedb.connect(dir);
  const rows = data.texts.map((text, index) => ({
    chunkId: data.chunkIds[index] as string,
    text,
    vector: Array.from(vectorAt(index)),
  }));
  const table = await db.createTable('chunks', rows);
  await table.createIndex('text', { config: lancedb.Index.fts() });
  const rrf = await lancedb.rerankers.RRFReranker.create(60);
  // No vector index: an exhaustive scan, the same algorithm sqlite-vec and Orama use here.
  return {
    bm25: async (query) => table.search(query, 'fts').limit(10).toArray(),
    dense: async (_query, vector) =>
      table.query().nearestTo(vector).distanceType('cosine').limit(10).toArray(),
    hybrid: async (query, vector) =>
      table
        .query()
        .fullTextSearch(query)
        .nearestTo(vector)
        .distanceType('cosine')
        .rerank(rrf)
        .limit(10)
        .toArray(),
  };
}
