import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Chunk, StoreQueryOptions } from '../../spec/index.ts';
import { CairnError } from '../../spec/index.ts';
import { type PgliteServer, startPgliteServer } from '../../testing/start-pglite-server.ts';
import {
  CONFORMANCE_DIMENSIONS,
  conformanceEmbedder,
  makeDocument,
  runStoreConformance,
} from '../conformance/run-store-conformance.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { appliedVersions, migrate } from './migrate.ts';
import { openPostgresStore } from './open-postgres-store.ts';
import { nearestQuery, type PostgresQueryOptions } from './postgres-store.ts';
import { tokenize } from './tokenize.ts';

const embedder = { embedderId: 'hashing:hash-64', dimensions: CONFORMANCE_DIMENSIONS };
const server: PgliteServer = await startPgliteServer();
after(() => server.close());

/** Drops every cairn table, so the next store opens on an empty database. */
async function resetDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS cairn_embeddings, cairn_postings, cairn_term_stats, cairn_corpus_stats,
      cairn_chunks, cairn_documents, cairn_collections, cairn_settings, cairn_meta, cairn_schema_migrations CASCADE`);
  } finally {
    await client.end();
  }
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The plan Postgres picks for a vector query, after ANALYZE (what autovacuum does on a server). */
async function plan(options: StoreQueryOptions, mode: Parameters<typeof nearestQuery>[2]): Promise<string> {
  const statement = nearestQuery(seededVector(7), options, mode);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query('ANALYZE');
    await client.query('BEGIN');
    if (statement.settings) await client.query(statement.settings.sql, statement.settings.params);
    const { rows } = await client.query(`EXPLAIN ${statement.sql}`, statement.params);
    await client.query('COMMIT');
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

async function freshStore(options: { efSearch?: number } = {}) {
  await resetDatabase();
  return openPostgresStore({ connectionString: server.url, embedder, ...options });
}

runStoreConformance('postgres', () => freshStore());

/** A deterministic unit vector per seed (xorshift), so neighbours are not an artefact of hashing. */
function seededVector(seed: number, dimensions = CONFORMANCE_DIMENSIONS): Float32Array {
  let state = seed * 2654435761 + 1;
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    vector[i] = ((state >>> 0) / 0xffffffff) * 2 - 1;
    norm += (vector[i] as number) ** 2;
  }
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) / Math.sqrt(norm);
  return vector;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('postgres store', () => {
  test('BM25 scores equal a hand computation of FTS5 bm25 (k1 1.2, b 0.75) on a tiny corpus', async () => {
    const store = await freshStore();
    // Searchable text is "Title of <id>\n<text>", so the title adds three tokens to each chunk.
    await store.upsertDocument({
      namespace: 'ns',
      ...makeDocument('a', ['cats chase mice']),
      embeddings: [seededVector(1)],
    });
    await store.upsertDocument({
      namespace: 'ns',
      ...makeDocument('b', ['dogs chase cats and cats run']),
      embeddings: [seededVector(2)],
    });
    await store.upsertDocument({
      namespace: 'ns',
      ...makeDocument('c', ['birds sing']),
      embeddings: [seededVector(3)],
    });
    // Another namespace must not change this one's statistics.
    await store.upsertDocument({
      namespace: 'other',
      ...makeDocument('z', ['cats cats cats cats']),
      embeddings: [seededVector(4)],
    });
    const hits = await store.searchText('cat chasing', { namespace: 'ns', k: 10 });
    // Lengths: a = 3 + 3, b = 3 + 6, c = 3 + 2; N = 3, avgdl = 20 / 3.
    // "cat" (cats) is in a (tf 1) and b (tf 2); "chase" (chasing) is in a (1) and b (1).
    const N = 3;
    const avgdl = 20 / 3;
    const idf = (n: number) => Math.max(Math.log((N - n + 0.5) / (n + 0.5)), 1e-6);
    const term = (tf: number, length: number, n: number) =>
      (idf(n) * (tf * 2.2)) / (tf + 1.2 * (0.25 + (0.75 * length) / avgdl));
    const expected = new Map([
      ['a#0', term(1, 6, 2) + term(1, 6, 2)],
      ['b#0', term(2, 9, 2) + term(1, 9, 2)],
    ]);
    assert.deepEqual(
      hits.map((hit) => hit.chunkId),
      ['b#0', 'a#0'],
    );
    for (const hit of hits) assert.ok(Math.abs(hit.score - (expected.get(hit.chunkId) as number)) < 1e-12);
    // A rare term outweighs a common one: "sing" is in one chunk of three.
    const [sing] = await store.searchText('singing', { namespace: 'ns', k: 1 });
    assert.equal(sing?.chunkId, 'c#0');
    assert.ok(Math.abs((sing?.score ?? 0) - term(1, 5, 1)) < 1e-12);
    await store.close();
  });

  test('BM25 scores and ranks equal the SQLite store (FTS5) on the same corpus', async () => {
    const postgres = await freshStore();
    const sqlite = openSqliteStore({ path: ':memory:', embedder });
    const words =
      'protein proteins binding bound cell cells cellular mutation mutations mutated tumour tumours growth growing inhibit inhibits inhibition receptor receptors signalling signal patients patient risk risks increased increasing decrease'.split(
        ' ',
      );
    let state = 7;
    const pick = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return words[state % words.length] as string;
    };
    for (let d = 0; d < 40; d++) {
      const paragraphs = Array.from({ length: 1 + (d % 3) }, () =>
        Array.from({ length: 4 + (d % 9) }, pick).join(' '),
      );
      const built = makeDocument(`doc${d}`, paragraphs);
      const embeddings = paragraphs.map((_, i) => seededVector(d * 10 + i));
      await postgres.upsertDocument({ namespace: 'ns', ...built, embeddings });
      await sqlite.upsertDocument({ namespace: 'ns', ...built, embeddings });
    }
    // No deletes here: FTS5's contentless tables never take a deleted row out of their totals
    // (row count, token count), while this store's statistics do, so after deletes the two differ.
    for (const text of [
      'mutated receptors inhibit tumour growth',
      'increased risk in patients',
      'cell signalling',
      'binding',
    ]) {
      const expected = await sqlite.searchText(text, { namespace: 'ns', k: 20 });
      const actual = await postgres.searchText(text, { namespace: 'ns', k: 20 });
      assert.equal(actual.length, expected.length, text);
      for (const [i, hit] of actual.entries()) {
        assert.ok(Math.abs(hit.score - (expected[i]?.score as number)) < 1e-9, `${text}: ${hit.score}`);
      }
      const scoreOf = (hits: typeof actual) =>
        new Map(hits.map((hit) => [hit.chunkId, hit.score.toFixed(9)]));
      // Equal scores may tie-break differently; the ranks of distinct scores must agree.
      assert.deepEqual(scoreOf(actual), scoreOf(expected), text);
    }
    await sqlite.close();
    await postgres.close();
  });

  test('BM25 statistics follow deletes and replacements', async () => {
    const store = await freshStore();
    const put = (id: string, text: string) =>
      store.upsertDocument({ namespace: 'ns', ...makeDocument(id, [text]), embeddings: [seededVector(9)] });
    await put('a', 'solar panels on roofs');
    await put('b', 'wind turbines');
    await put('c', 'solar farms');
    const before = await store.searchText('solar', { namespace: 'ns', k: 5 });
    await put('d', 'solar heating');
    await store.deleteDocument('ns', 'd');
    await put('b', 'wind turbines');
    assert.deepEqual(await store.searchText('solar', { namespace: 'ns', k: 5 }), before);
    const stats = await query<{ chunk_count: string; term_total: string }>(
      `SELECT chunk_count, term_total FROM cairn_corpus_stats WHERE namespace = 'ns'`,
    );
    // Three chunks of "Title of x" (3 tokens) plus 4, 2 and 2 tokens of text.
    assert.deepEqual(stats, [{ chunk_count: '3', term_total: String(9 + 8) }]);
    await store.close();
  });

  // PGlite runs one backend and its multiplexer runs one open transaction at a time, so these
  // writes queue rather than run in parallel: the test checks the statistics under replacement
  // churn from two pools, not the advisory lock against truly parallel writers (a real server).
  test('two stores writing and replacing in one namespace at once leave statistics equal to a recount', async () => {
    const first = await freshStore();
    const second = await openPostgresStore({ connectionString: server.url, embedder });
    const write = (store: typeof first, prefix: string) =>
      Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          store.upsertDocument({
            namespace: 'ns',
            ...makeDocument(`${prefix}${i % 10}`, [`shared words ${prefix} number ${i}`, 'common tail']),
            embeddings: [seededVector(i), seededVector(i + 100)],
          }),
        ),
      );
    await Promise.all([write(first, 'a'), write(second, 'b'), write(second, 'a')]);
    const mismatched = await query(
      `SELECT coalesce(t.term, p.term) AS term FROM cairn_term_stats t
       FULL JOIN (SELECT term, count(*) AS n FROM cairn_postings WHERE namespace = 'ns' GROUP BY term) p
         ON p.term = t.term
       WHERE t.namespace = 'ns' AND coalesce(t.chunk_frequency, 0) <> coalesce(p.n, 0)`,
    );
    assert.deepEqual(mismatched, []);
    const [totals] = await query<{
      chunks: string;
      terms: string;
      recorded_chunks: string;
      recorded_terms: string;
    }>(
      `SELECT count(*) AS chunks, sum(term_count) AS terms,
              (SELECT chunk_count FROM cairn_corpus_stats WHERE namespace = 'ns') AS recorded_chunks,
              (SELECT term_total FROM cairn_corpus_stats WHERE namespace = 'ns') AS recorded_terms
       FROM cairn_chunks WHERE namespace = 'ns' AND term_count IS NOT NULL`,
    );
    assert.equal(totals?.chunks, '40');
    assert.equal(totals?.recorded_chunks, totals?.chunks);
    assert.equal(totals?.recorded_terms, totals?.terms);
    await first.close();
    await second.close();
  });

  test('exact search equals brute force, and HNSW (the index, not a scan) finds nearly the same', async () => {
    const store = await freshStore({ efSearch: 40 });
    const vectors = new Map<string, Float32Array>();
    for (let batch = 0; batch < 20; batch++) {
      const paragraphs = Array.from({ length: 50 }, (_, i) => `vector number ${batch * 50 + i}`);
      const built = makeDocument(`doc${batch}`, paragraphs);
      const embeddings = paragraphs.map((_, i) => seededVector(batch * 50 + i + 10));
      for (const [i, chunk] of built.chunks.entries()) vectors.set(chunk.id, embeddings[i] as Float32Array);
      await store.upsertDocument({ namespace: 'ns', ...built, embeddings });
    }
    const options = { namespace: 'ns', k: 10 };
    assert.match(
      await plan(options, { efSearch: 40, iterativeScan: true }),
      /Index Scan using cairn_embeddings_hnsw/,
    );
    assert.doesNotMatch(await plan(options, 'exact'), /cairn_embeddings_hnsw/);
    let overlap = 0;
    const queries = 10;
    for (let q = 0; q < queries; q++) {
      const probe = seededVector(100_000 + q);
      const truth = [...vectors]
        .map(([id, vector]) => ({ id, score: cosine(probe, vector) }))
        .sort((x, y) => y.score - x.score)
        .slice(0, 10);
      const exactOptions: PostgresQueryOptions = { namespace: 'ns', k: 10, exact: true };
      const exact = await store.searchVector(probe, exactOptions);
      assert.deepEqual(
        exact.map((hit) => hit.chunkId),
        truth.map((hit) => hit.id),
      );
      for (const [i, hit] of exact.entries()) {
        assert.ok(Math.abs(hit.score - (truth[i]?.score as number)) < 1e-5);
      }
      const approximate = await store.searchVector(probe, { namespace: 'ns', k: 10 });
      assert.equal(approximate.length, 10);
      const truthIds = new Set(truth.map((hit) => hit.id));
      overlap += approximate.filter((hit) => truthIds.has(hit.chunkId)).length;
    }
    assert.ok(overlap / (queries * 10) >= 0.9, `HNSW recall@10 ${overlap / (queries * 10)}`);
    await store.close();
  });

  test('a selective namespace still gets k vector results from the HNSW index, the same as exact', async () => {
    const store = await freshStore({ efSearch: 10 });
    const put = async (namespace: string, id: string, count: number, firstSeed: number) => {
      const paragraphs = Array.from({ length: count }, (_, i) => `probe ${i}`);
      const embeddings = paragraphs.map((_, i) => seededVector(firstSeed + i));
      await store.upsertDocument({ namespace, ...makeDocument(id, paragraphs), embeddings });
    };
    for (let d = 0; d < 8; d++) await put('large', `big${d}`, 500, 1000 + d * 500);
    await put('small', 'few', 150, 50);
    // One row in 28 is in the namespace, and ef_search is 10: the first 10 candidates of the
    // index hold about one row of it, so the iterative scan (or the exact retry) supplies the rest.
    const options = { namespace: 'small', k: 10 };
    assert.match(await plan(options, { efSearch: 10, iterativeScan: true }), /cairn_embeddings_hnsw/);
    let overlap = 0;
    for (let q = 0; q < 5; q++) {
      const probe = seededVector(42 + q);
      const approximate = await store.searchVector(probe, options);
      const exact = new Set(
        (await store.searchVector(probe, { ...options, exact: true } as PostgresQueryOptions)).map(
          (hit) => hit.chunkId,
        ),
      );
      assert.equal(approximate.length, 10);
      assert.ok(approximate.every((hit) => hit.chunkId.startsWith('few#')));
      overlap += approximate.filter((hit) => exact.has(hit.chunkId)).length;
    }
    // Still approximate: random 64-d vectors are hard for HNSW, and ef_search 10 is low on purpose
    // (0.72 when this was written; the unfiltered test above, at ef_search 40, asks for 0.9).
    assert.ok(overlap / 50 >= 0.6, `recall@10 against exact ${overlap / 50}`);
    // A metadata filter is planned on the documents' keys (an exact scan of few rows); k still holds.
    const filtered = await store.searchVector(seededVector(1), {
      namespace: 'large',
      k: 5,
      filter: { docIds: ['big3'] },
    });
    assert.equal(filtered.length, 5);
    assert.ok(filtered.every((hit) => hit.chunkId.startsWith('big3#')));
    await store.close();
  });

  test('a write that fails after its chunks are in leaves the old version and the statistics intact', async () => {
    const store = await freshStore();
    await store.upsertDocument({
      namespace: 'ns',
      ...makeDocument('doc', ['original words here', 'second original part']),
      embeddings: [seededVector(1), seededVector(2)],
    });
    await store.upsertDocument({
      namespace: 'ns',
      ...makeDocument('other', ['unrelated original text']),
      embeddings: [seededVector(3)],
    });
    const before = await store.searchText('original words', { namespace: 'ns', k: 5 });
    const broken = new Float32Array(CONFORMANCE_DIMENSIONS).fill(0.1);
    broken[3] = Number.NaN;
    // pgvector refuses NaN, so this fails at the vector insert, after the old rows were deleted
    // and the new document and chunks were written in the same transaction.
    await assert.rejects(
      store.upsertDocument({
        namespace: 'ns',
        ...makeDocument('doc', ['replacement words', 'second replacement']),
        embeddings: [seededVector(5), broken],
      }),
    );
    assert.deepEqual(await store.searchText('original words', { namespace: 'ns', k: 5 }), before);
    assert.deepEqual(await store.searchText('replacement', { namespace: 'ns', k: 5 }), []);
    assert.equal(await store.countChunks('ns'), 3);
    const [doc] = await store.getDocuments('ns', ['doc']);
    assert.equal(doc?.chunkCount, 2);
    const terms = await query<{ n: string }>(
      `SELECT count(*) AS n FROM cairn_term_stats WHERE namespace = 'ns' AND term = $1 AND chunk_frequency > 0`,
      [tokenize('replacement')[0]],
    );
    assert.equal(terms[0]?.n, '0');
    await store.close();
  });

  test('parent chunks get neither vectors nor BM25 statistics', async () => {
    const store = await freshStore();
    const { document } = makeDocument('pc', ['parent']);
    const chunks: Chunk[] = [
      {
        id: 'pc#0',
        docId: 'pc',
        ordinal: 0,
        role: 'parent',
        text: 'long parent',
        tokenCount: 2,
        metadata: {},
      },
      {
        id: 'pc#1',
        docId: 'pc',
        ordinal: 1,
        role: 'child',
        parentId: 'pc#0',
        text: 'child',
        tokenCount: 1,
        metadata: {},
      },
    ];
    await store.upsertDocument({ namespace: 'ns', document, chunks, embeddings: [seededVector(1)] });
    const [stats] = await query<{ chunk_count: string }>('SELECT chunk_count FROM cairn_corpus_stats');
    assert.equal(stats?.chunk_count, '1');
    assert.equal((await store.getEmbeddings('ns', ['pc#0', 'pc#1'])).size, 1);
    await store.close();
  });
});

describe('postgres schema migrations', () => {
  test('an empty database is migrated to the latest version', async () => {
    const store = await freshStore();
    assert.equal(store.info.schemaVersion, 2);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      assert.deepEqual(await appliedVersions(client as unknown as pg.Pool), [1, 2]);
      const indexes = await client.query(
        `SELECT indexname FROM pg_indexes WHERE indexname IN ('cairn_documents_metadata', 'cairn_embeddings_hnsw')`,
      );
      assert.equal(indexes.rowCount, 2);
    } finally {
      await client.end();
    }
    await store.close();
  });

  test('a version 1 database with documents is upgraded in place and keeps them', async () => {
    await resetDatabase();
    const pool = new pg.Pool({ connectionString: server.url });
    const client = await pool.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    assert.deepEqual(await migrate(client, 'test', 1), [1]);
    client.release();
    await pool.end();
    assert.equal(
      (await query(`SELECT 1 FROM pg_indexes WHERE indexname = 'cairn_documents_metadata'`)).length,
      0,
    );
    // Write through a store pinned at version 1 is not possible, so write the rows version 1 had.
    await query(`INSERT INTO cairn_meta (key, value) VALUES ('embedder_id', $1), ('dimensions', $2)`, [
      embedder.embedderId,
      String(embedder.dimensions),
    ]);
    await query(
      `INSERT INTO cairn_documents (namespace, id, source, title, format, content_hash, metadata, chunk_count, ingested_at)
       VALUES ('ns', 'old', 'old.md', 'Old', 'markdown', 'h', '{"team":"core"}', 1, '2026-01-01T00:00:00.000Z')`,
    );
    const store = await openPostgresStore({ connectionString: server.url, embedder });
    const migrated = await query<{ version: number }>(
      'SELECT version FROM cairn_schema_migrations ORDER BY 1',
    );
    assert.deepEqual(
      migrated.map((row) => row.version),
      [1, 2],
    );
    assert.equal(
      (await query(`SELECT 1 FROM pg_indexes WHERE indexname = 'cairn_documents_metadata'`)).length,
      1,
    );
    assert.deepEqual(
      (await store.listDocuments('ns')).map((doc) => [doc.id, doc.metadata.team]),
      [['old', 'core']],
    );
    await store.upsertDocument({
      namespace: 'ns',
      ...makeDocument('new', ['written after the upgrade'], { metadata: { team: 'core' } }),
      embeddings: [seededVector(7)],
    });
    const hits = await store.searchText('upgrade', {
      namespace: 'ns',
      k: 5,
      filter: { where: { team: 'core' } },
    });
    assert.deepEqual(
      hits.map((hit) => hit.chunkId),
      ['new#0'],
    );
    await store.close();
  });

  test('a database from a newer cairn is refused', async () => {
    const store = await freshStore();
    await store.close();
    await query(`INSERT INTO cairn_schema_migrations (version, name) VALUES (99, 'from the future')`);
    await assert.rejects(
      openPostgresStore({ connectionString: server.url, embedder }),
      (error: unknown) => CairnError.is(error, 'invalid_input') && /schema version 99/.test(error.message),
    );
  });
});

describe('postgres store errors', () => {
  let noVector: PgliteServer;
  before(async () => {
    noVector = await startPgliteServer({ vector: false });
  });
  after(() => noVector.close());

  test('an unreachable server is an error naming the URL, without its password', async () => {
    const url = 'postgres://cairn:secret@127.0.0.1:1/cairn';
    await assert.rejects(
      openPostgresStore({ connectionString: url, embedder }),
      (error: unknown) =>
        CairnError.is(error, 'invalid_input') &&
        error.message.includes('postgres://cairn:***@127.0.0.1:1/cairn') &&
        !error.message.includes('secret') &&
        /server is running/.test(error.message),
    );
  });

  test('a database without pgvector is an error that says how to add it', async () => {
    await assert.rejects(
      openPostgresStore({ connectionString: noVector.url, embedder }),
      (error: unknown) =>
        CairnError.is(error, 'invalid_input') &&
        error.message.includes(noVector.url) &&
        /CREATE EXTENSION vector/.test(error.message) &&
        /pgvector 0\.8/.test(error.message),
    );
  });

  test('reopening with another embedder is the embedder_mismatch error the SQLite store gives', async () => {
    const store = await freshStore();
    await store.close();
    await assert.rejects(
      openPostgresStore({
        connectionString: server.url,
        embedder: { embedderId: 'local:use-lite-512', dimensions: 512 },
      }),
      (error: unknown) =>
        CairnError.is(error, 'embedder_mismatch') &&
        error.message.includes(server.url) &&
        /built with embedder hashing:hash-64 \(64-d\)/.test(error.message),
    );
  });

  test('a query vector of the wrong dimension is refused', async () => {
    const store = await freshStore();
    const [vector] = (await conformanceEmbedder.doEmbed({ values: ['x'] })).embeddings;
    assert.equal(vector?.length, CONFORMANCE_DIMENSIONS);
    await assert.rejects(
      store.searchVector(new Float32Array(3), { namespace: 'ns', k: 1 }),
      (error: unknown) => CairnError.is(error, 'dimension_mismatch'),
    );
    await store.close();
  });
});
