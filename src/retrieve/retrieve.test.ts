import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { CairnDocument, Chunk, Store } from '../spec/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { retrieve } from './retrieve.ts';

const embedder = createHashingEmbedder({ dimensions: 128 });
let store: Store;

async function add(
  id: string,
  chunks: Omit<Chunk, 'docId' | 'tokenCount'>[],
  metadata: CairnDocument['metadata'] = {},
) {
  const full: Chunk[] = chunks.map((chunk) => ({
    ...chunk,
    docId: id,
    tokenCount: chunk.text.split(' ').length,
  }));
  const document: CairnDocument = {
    id,
    source: `${id}.md`,
    title: id,
    format: 'markdown',
    text: full.map((chunk) => chunk.text).join('\n\n'),
    blocks: [],
    contentHash: id,
    metadata,
  };
  const searchable = full.filter((chunk) => chunk.role !== 'parent');
  const { embeddings } = await embedder.doEmbed({ values: searchable.map((chunk) => chunk.text) });
  await store.upsertDocument({ namespace: 'default', document, chunks: full, embeddings });
}

before(async () => {
  store = openSqliteStore({
    path: ':memory:',
    embedder: { embedderId: 'hashing:hash-128', dimensions: 128 },
  });
  await add(
    'keys',
    [
      {
        id: 'keys#0',
        ordinal: 0,
        role: 'leaf',
        text: 'Rotate API keys every ninety days and revoke old ones.',
        metadata: {},
      },
    ],
    { team: 'security' },
  );
  await add(
    'cache',
    [
      {
        id: 'cache#0',
        ordinal: 0,
        role: 'leaf',
        text: 'A semantic cache returns stored answers for paraphrased questions.',
        metadata: {},
      },
    ],
    { team: 'platform' },
  );
  await add('guide', [
    {
      id: 'guide#0',
      ordinal: 0,
      role: 'parent',
      text: 'Whole section: chunk sizes matter. Small chunks match precisely.',
      metadata: { headingsPath: ['Chunking'] },
    },
    {
      id: 'guide#1',
      ordinal: 1,
      role: 'child',
      parentId: 'guide#0',
      text: 'chunk sizes matter',
      metadata: {},
    },
    {
      id: 'guide#2',
      ordinal: 2,
      role: 'child',
      parentId: 'guide#0',
      text: 'Small chunks match precisely.',
      metadata: {},
    },
  ]);
});
after(() => store.close());

test('every mode ranks the right document first and reports timings', async () => {
  for (const mode of ['bm25', 'dense', 'hybrid'] as const) {
    const { results, timings } = await retrieve({
      store,
      embedder,
      query: 'how often should API keys be rotated',
      mode,
      k: 2,
    });
    assert.equal(results[0]?.docId, 'keys', mode);
    assert.equal(results[0]?.rank, 1);
    assert.ok(timings.totalMs >= timings.bm25Ms + timings.denseMs);
    if (mode === 'bm25') assert.equal(timings.embedMs, 0);
  }
});

test('children expand to their parent section once; --no-parents returns the children', async () => {
  const expanded = await retrieve({ store, embedder, query: 'small chunks sizes matter precisely', k: 5 });
  const guide = expanded.results.filter((result) => result.docId === 'guide');
  assert.equal(guide.length, 1);
  assert.equal(guide[0]?.chunkId, 'guide#0');
  assert.match(guide[0]?.text ?? '', /Whole section/);
  assert.ok(guide[0]?.matchedChunkId?.startsWith('guide#'));
  const raw = await retrieve({
    store,
    embedder,
    query: 'small chunks sizes matter precisely',
    k: 5,
    expandParents: false,
  });
  assert.equal(raw.results.filter((result) => result.docId === 'guide').length, 2);
});

test('filters restrict results to matching documents in every mode', async () => {
  for (const mode of ['bm25', 'dense', 'hybrid'] as const) {
    const { results } = await retrieve({
      store,
      embedder,
      query: 'API keys cache answers',
      mode,
      k: 5,
      filter: { where: { team: 'platform' } },
    });
    assert.deepEqual(
      results.map((result) => result.docId),
      ['cache'],
      mode,
    );
  }
});

test('a precomputed query embedding skips the embed step', async () => {
  const [vector] = (await embedder.doEmbed({ values: ['semantic cache'] })).embeddings;
  const { results, timings } = await retrieve({
    store,
    embedder,
    query: 'semantic cache',
    mode: 'dense',
    k: 1,
    queryEmbedding: vector as Float32Array,
  });
  assert.equal(timings.embedMs, 0);
  assert.equal(results[0]?.docId, 'cache');
});

test("an unknown namespace returns nothing rather than another tenant's data", async () => {
  const { results } = await retrieve({ store, embedder, query: 'API keys', namespace: 'someone-else', k: 5 });
  assert.deepEqual(results, []);
});
