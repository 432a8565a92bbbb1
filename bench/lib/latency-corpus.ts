import fs from 'node:fs';
import path from 'node:path';
import { createChunker, DEFAULT_CHUNKING } from '../../src/chunk/index.ts';
import { createHashingEmbedder, createLocalEmbedder, embedMany } from '../../src/embed/index.ts';
import { loadBeirQuerySet } from '../../src/evaluate/index.ts';
import { loadBeirCorpus } from '../../src/ingest/index.ts';
import { searchableText } from '../../src/store/sqlite/index.ts';
import { RESULTS_DIR, scifactDir } from './shared-data.ts';

/** Texts and vectors every system in the latency benchmark indexes: the same inputs for all. */
export interface LatencyCorpus {
  size: 'scifact' | '100k';
  chunkIds: string[];
  docIds: string[];
  texts: string[];
  /** Row-major, 512 floats per chunk, unit length. */
  vectors: Float32Array;
  queries: string[];
  queryVectors: Float32Array[];
}

const DIMENSIONS = 512;

/**
 * Builds (once, then reads from bench/results) the latency corpus: SciFact chunked with the
 * default chunker (vectors from the bundled USE-lite model), or 100k chunks made of SciFact
 * sentences and sentence windows. At 100k the vectors come from the 512-d hashing embedder:
 * USE-lite would need about 1.5 hours on 2 cores, and exhaustive search costs the same whatever
 * the vector values. Every system indexes exactly the same texts and vectors.
 */
export async function loadLatencyCorpus(size: 'scifact' | '100k'): Promise<LatencyCorpus> {
  const cache = path.join(RESULTS_DIR, `latency-${size}`);
  if (!fs.existsSync(`${cache}.json`)) await buildCorpus(size, cache);
  const meta = JSON.parse(fs.readFileSync(`${cache}.json`, 'utf8')) as Omit<
    LatencyCorpus,
    'vectors' | 'queryVectors'
  >;
  const vectors = readFloats(`${cache}.f32`);
  const queryFloats = readFloats(`${cache}.queries.f32`);
  const queryVectors = meta.queries.map((_, index) =>
    queryFloats.subarray(index * DIMENSIONS, (index + 1) * DIMENSIONS),
  );
  return { ...meta, vectors, queryVectors };
}

function readFloats(file: string): Float32Array {
  const bytes = fs.readFileSync(file);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

async function buildCorpus(size: 'scifact' | '100k', cache: string): Promise<void> {
  const dataset = scifactDir();
  const chunkIds: string[] = [];
  const docIds: string[] = [];
  const texts: string[] = [];
  if (size === 'scifact') {
    const chunker = createChunker(DEFAULT_CHUNKING);
    for await (const result of loadBeirCorpus(path.join(dataset, 'corpus.jsonl'))) {
      if (!result.ok) continue;
      for (const chunk of chunker.chunk(result.document)) {
        if (chunk.role === 'parent') continue;
        chunkIds.push(chunk.id);
        docIds.push(chunk.docId);
        texts.push(searchableText(result.document.title, chunk));
      }
    }
  } else {
    const lines = fs
      .readFileSync(path.join(dataset, 'extras', 'abstract_sentences.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const abstracts = lines.map(
      (line) => JSON.parse(line) as { doc_id: string | number; sentences: string[] },
    );
    // Single sentences, then consecutive pairs, until 100,000 chunks.
    for (const window of [1, 2, 3]) {
      for (const { doc_id, sentences } of abstracts) {
        for (let start = 0; start + window <= sentences.length && texts.length < 100_000; start++) {
          chunkIds.push(`${doc_id}#w${window}s${start}`);
          docIds.push(String(doc_id));
          texts.push(
            sentences
              .slice(start, start + window)
              .join(' ')
              .trim(),
          );
        }
      }
    }
  }
  const querySet = loadBeirQuerySet(dataset, 'test');
  const queries = querySet.queries.map((query) => query.text);
  const local = createLocalEmbedder({ threads: 2 });
  const embedder = size === 'scifact' ? local : createHashingEmbedder({ dimensions: DIMENSIONS });
  process.stderr.write(
    `embedding ${texts.length} chunks for the ${size} latency corpus (cached afterwards)...\n`,
  );
  const vectors = new Float32Array(texts.length * DIMENSIONS);
  const step = 512;
  for (let start = 0; start < texts.length; start += step) {
    const { embeddings } = await embedMany(embedder, texts.slice(start, start + step));
    embeddings.forEach((vector, offset) => {
      vectors.set(vector, (start + offset) * DIMENSIONS);
    });
    process.stderr.write(`\r  ${Math.min(start + step, texts.length)}/${texts.length}`);
  }
  process.stderr.write('\n');
  const { embeddings: queryVectors } = await embedMany(embedder, queries);
  await local.close();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(`${cache}.f32`, Buffer.from(vectors.buffer));
  const flatQueries = new Float32Array(queries.length * DIMENSIONS);
  queryVectors.forEach((vector, index) => {
    flatQueries.set(vector, index * DIMENSIONS);
  });
  fs.writeFileSync(`${cache}.queries.f32`, Buffer.from(flatQueries.buffer));
  fs.writeFileSync(`${cache}.json`, JSON.stringify({ size, chunkIds, docIds, texts, queries }));
}
