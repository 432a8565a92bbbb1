import type pg from 'pg';
import {
  type CairnDocument,
  CairnError,
  type Chunk,
  type CollectionBinding,
  type IndexInfo,
  type InjectionFinding,
  type ScoredChunkId,
  type Store,
  type StoredChunk,
  type StoredDocument,
  type StoreQueryOptions,
} from '../../spec/index.ts';
import { checkDocumentWrite, searchableText } from '../document-write.ts';
import { filterToPgSql } from './filter-sql.ts';
import { queryTerms } from './query-terms.ts';
import { tokenize } from './tokenize.ts';

/** Options of one Postgres vector query, beyond the shared ones. */
export interface PostgresQueryOptions extends StoreQueryOptions {
  /** Exact nearest neighbours by a sequential scan instead of the HNSW index (for evaluation). */
  exact?: boolean;
}

/** How the store was opened: what vector search may use. */
export interface PostgresStoreSettings {
  /** Redacted URL, for messages. */
  label: string;
  /** `hnsw.ef_search` floor; a query for k results always searches with at least k. */
  efSearch: number;
  /** Every vector query exact (sequential scan), for evaluation. */
  exact: boolean;
  /** pgvector 0.8+: `hnsw.iterative_scan` keeps scanning until k rows pass the filter. */
  iterativeScan: boolean;
}

// BM25 parameters of SQLite FTS5's bm25(), so both stores rank alike.
const K1 = 1.2;
const B = 0.75;
// pgvector caps hnsw.ef_search at 1000.
const MAX_EF_SEARCH = 1000;

interface ChunkRow {
  namespace: string;
  id: string;
  doc_id: string;
  ordinal: number;
  role: Chunk['role'];
  parent_id: string | null;
  text: string;
  token_count: number;
  metadata: StoredChunk['metadata'];
  source: string;
  title: string;
}

interface DocumentRow {
  namespace: string;
  id: string;
  source: string;
  title: string;
  format: StoredDocument['format'];
  content_hash: string;
  metadata: StoredDocument['metadata'];
  chunk_count: number;
  ingested_at: string;
  quarantined: boolean;
  injection: InjectionFinding | null;
}

/** pgvector's text form of a vector; a float32 prints exactly and parses back to itself. */
function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

/**
 * The Store contract on Postgres: documents, chunks and BM25 statistics in plain tables, vectors
 * in pgvector with an HNSW index. Every document write is one transaction, serialised per
 * namespace by an advisory lock so the shared statistics rows are updated in one order.
 */
export class PostgresStore implements Store {
  readonly specificationVersion = 'v1';
  readonly provider = 'postgres';
  readonly info: IndexInfo;
  readonly #pool: pg.Pool;
  readonly #settings: PostgresStoreSettings;
  #closed = false;

  constructor(pool: pg.Pool, info: IndexInfo, settings: PostgresStoreSettings) {
    this.#pool = pool;
    this.info = info;
    this.#settings = settings;
  }

  /** Runs `work` in one transaction on one connection; rolls back on any error. */
  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Serialises writers of one namespace until the transaction ends. */
  async #lockNamespace(client: pg.PoolClient, namespace: string): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('cairn:' || $1, 0))`, [namespace]);
  }

  async upsertDocument(input: {
    namespace: string;
    document: CairnDocument;
    chunks: Chunk[];
    embeddings: Float32Array[];
    injection?: InjectionFinding;
  }): Promise<void> {
    const { namespace, document, chunks, embeddings, injection } = input;
    const searchable = checkDocumentWrite(document, chunks, embeddings, this.info.dimensions);
    const termCounts = chunks.map((chunk) =>
      chunk.role === 'parent' ? undefined : countTerms(tokenize(searchableText(document.title, chunk))),
    );
    await this.#transaction(async (client) => {
      await this.#lockNamespace(client, namespace);
      await removeDocument(client, namespace, document.id);
      await client.query(
        `INSERT INTO cairn_documents (namespace, id, source, title, format, content_hash, metadata, chunk_count,
           ingested_at, quarantined, injection)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          namespace,
          document.id,
          document.source,
          document.title,
          document.format,
          document.contentHash,
          JSON.stringify(document.metadata),
          searchable.length,
          new Date().toISOString(),
          injection !== undefined,
          injection ? JSON.stringify(injection) : null,
        ],
      );
      if (chunks.length === 0) return;
      const inserted = await client.query<{ seq: string; id: string }>(
        `INSERT INTO cairn_chunks (namespace, id, doc_id, ordinal, role, parent_id, text, token_count, metadata,
           term_count)
         SELECT $1, id, $2, ordinal, role, parent_id, text, token_count, metadata, term_count
         FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int[], $9::jsonb[], $10::int[])
           WITH ORDINALITY AS c(id, ordinal, role, parent_id, text, token_count, metadata, term_count, position)
         ORDER BY position
         RETURNING seq, id`,
        [
          namespace,
          document.id,
          chunks.map((chunk) => chunk.id),
          chunks.map((chunk) => chunk.ordinal),
          chunks.map((chunk) => chunk.role),
          chunks.map((chunk) => chunk.parentId ?? null),
          chunks.map((chunk) => chunk.text),
          chunks.map((chunk) => chunk.tokenCount),
          chunks.map((chunk) => JSON.stringify(chunk.metadata)),
          termCounts.map((counts) => (counts === undefined ? null : counts.length)),
        ],
      );
      const seqById = new Map(inserted.rows.map((row) => [row.id, row.seq]));
      const seqs: string[] = [];
      const terms: string[] = [];
      const postingSeqs: string[] = [];
      const frequencies: number[] = [];
      let termTotal = 0;
      chunks.forEach((chunk, index) => {
        const counts = termCounts[index];
        if (counts === undefined) return;
        const seq = seqById.get(chunk.id) as string;
        seqs.push(seq);
        termTotal += counts.length;
        for (const [term, frequency] of counts.frequencies) {
          terms.push(term);
          postingSeqs.push(seq);
          frequencies.push(frequency);
        }
      });
      if (seqs.length === 0) return;
      await client.query(
        `INSERT INTO cairn_embeddings (chunk_seq, namespace, embedding)
         SELECT seq, $1, embedding::vector FROM unnest($2::bigint[], $3::text[]) AS e(seq, embedding)`,
        [namespace, seqs, embeddings.map(vectorLiteral)],
      );
      // Term statistics in ascending term order: the rows are locked in that order.
      await client.query(
        `WITH posted AS (
           INSERT INTO cairn_postings (namespace, term, chunk_seq, frequency)
           SELECT $1, term, seq, frequency FROM unnest($2::text[], $3::bigint[], $4::int[]) AS p(term, seq, frequency)
           RETURNING term
         )
         INSERT INTO cairn_term_stats (namespace, term, chunk_frequency)
         SELECT $1, term, count(*) FROM posted GROUP BY term ORDER BY term
         ON CONFLICT (namespace, term)
           DO UPDATE SET chunk_frequency = cairn_term_stats.chunk_frequency + excluded.chunk_frequency`,
        [namespace, terms, postingSeqs, frequencies],
      );
      await client.query(
        `INSERT INTO cairn_corpus_stats (namespace, chunk_count, term_total) VALUES ($1, $2, $3)
         ON CONFLICT (namespace) DO UPDATE SET
           chunk_count = cairn_corpus_stats.chunk_count + excluded.chunk_count,
           term_total = cairn_corpus_stats.term_total + excluded.term_total`,
        [namespace, seqs.length, termTotal],
      );
    });
  }

  async setQuarantined(namespace: string, docId: string, quarantined: boolean): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE cairn_documents SET quarantined = $3 WHERE namespace = $1 AND id = $2',
      [namespace, docId, quarantined],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async getDocumentHash(namespace: string, docId: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ content_hash: string }>(
      'SELECT content_hash FROM cairn_documents WHERE namespace = $1 AND id = $2',
      [namespace, docId],
    );
    return rows[0]?.content_hash;
  }

  async deleteDocument(namespace: string, docId: string): Promise<boolean> {
    return this.#transaction(async (client) => {
      await this.#lockNamespace(client, namespace);
      return removeDocument(client, namespace, docId);
    });
  }

  async listDocuments(namespace: string): Promise<StoredDocument[]> {
    const { rows } = await this.#pool.query<DocumentRow>(
      'SELECT * FROM cairn_documents WHERE namespace = $1 ORDER BY source COLLATE "C", id COLLATE "C"',
      [namespace],
    );
    return rows.map(toStoredDocument);
  }

  async getDocuments(namespace: string, docIds: string[]): Promise<StoredDocument[]> {
    if (docIds.length === 0) return [];
    const { rows } = await this.#pool.query<DocumentRow>(
      'SELECT * FROM cairn_documents WHERE namespace = $1 AND id = ANY($2::text[]) ORDER BY id COLLATE "C"',
      [namespace, docIds],
    );
    return rows.map(toStoredDocument);
  }

  async countChunks(namespace: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM cairn_chunks WHERE namespace = $1 AND role <> 'parent'`,
      [namespace],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async listCollections(namespace: string): Promise<CollectionBinding[]> {
    const { rows } = await this.#pool.query<CollectionBinding>(
      'SELECT name, root FROM cairn_collections WHERE namespace = $1 ORDER BY name COLLATE "C"',
      [namespace],
    );
    return rows.map((row) => ({ name: row.name, root: row.root }));
  }

  async bindCollection(namespace: string, binding: CollectionBinding): Promise<void> {
    await this.#pool.query(
      `INSERT INTO cairn_collections (namespace, name, root) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, name) DO UPDATE SET root = excluded.root`,
      [namespace, binding.name, binding.root],
    );
  }

  async renameCollection(namespace: string, from: string, to: string): Promise<number> {
    return this.#transaction(async (client) => {
      await this.#lockNamespace(client, namespace);
      const { rows } = await client.query<Pick<DocumentRow, 'id' | 'source' | 'format' | 'metadata'>>(
        `SELECT id, source, format, metadata FROM cairn_documents
         WHERE namespace = $1 AND metadata->>'collection' = $2`,
        [namespace, from],
      );
      for (const row of rows) {
        const metadata: Record<string, string | number | boolean> = { ...row.metadata, collection: to };
        const newer = metadata.superseded_by;
        if (typeof newer === 'string' && newer.startsWith(`${from}/`))
          metadata.superseded_by = `${to}/${newer.slice(from.length + 1)}`;
        const newId = row.format === 'beir' ? row.id : `${to}/${row.source}`;
        // The chunks' doc_id follows through ON UPDATE CASCADE; their own ids are rewritten here.
        await client.query(
          'UPDATE cairn_documents SET id = $3, metadata = $4 WHERE namespace = $1 AND id = $2',
          [namespace, row.id, newId, JSON.stringify(metadata)],
        );
        if (newId === row.id) continue;
        await client.query(
          `UPDATE cairn_chunks SET
             id = $3 || substr(id, length($2) + 1),
             parent_id = CASE WHEN parent_id IS NULL THEN NULL ELSE $3 || substr(parent_id, length($2) + 1) END
           WHERE namespace = $1 AND doc_id = $3`,
          [namespace, row.id, newId],
        );
      }
      await client.query('DELETE FROM cairn_collections WHERE namespace = $1 AND name = $2', [namespace, to]);
      await client.query('UPDATE cairn_collections SET name = $3 WHERE namespace = $1 AND name = $2', [
        namespace,
        from,
        to,
      ]);
      return rows.length;
    });
  }

  async getSetting(namespace: string, key: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ value: string }>(
      'SELECT value FROM cairn_settings WHERE namespace = $1 AND key = $2',
      [namespace, key],
    );
    return rows[0]?.value;
  }

  async setSetting(namespace: string, key: string, value: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO cairn_settings (namespace, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
      [namespace, key, value],
    );
  }

  /**
   * BM25 exactly as SQLite's FTS5 bm25() computes it (k1 1.2, b 0.75, IDF
   * ln((N - n + 0.5) / (n + 0.5)) raised to 1e-6 when not positive), from the statistics tables
   * of the namespace. Chunks match when they hold any query term, as FTS5's OR query does.
   */
  async searchText(query: string, options: StoreQueryOptions): Promise<ScoredChunkId[]> {
    const terms = queryTerms(query);
    if (terms.length === 0 || options.k <= 0) return [];
    const condition = filterToPgSql(options.filter, 5, options.includeQuarantined);
    const { rows } = await this.#pool.query<{ chunk_id: string; score: number }>(
      `WITH query AS (
         SELECT * FROM unnest($2::text[], $3::int[]) AS q(term, weight)
       ), corpus AS (
         SELECT chunk_count::float8 AS n, term_total::float8 / chunk_count AS avgdl
         FROM cairn_corpus_stats WHERE namespace = $1 AND chunk_count > 0
       ), weighted AS (
         SELECT query.term,
                query.weight * greatest(ln((corpus.n - t.chunk_frequency + 0.5) / (t.chunk_frequency + 0.5)), 1e-6) AS idf
         FROM query
         JOIN cairn_term_stats t ON t.namespace = $1 AND t.term = query.term
         CROSS JOIN corpus
         WHERE t.chunk_frequency > 0
       )
       SELECT c.id AS chunk_id,
              sum(weighted.idf * (p.frequency * ${K1 + 1}::float8)
                  / (p.frequency + ${K1}::float8 * (${1 - B}::float8 + ${B}::float8 * c.term_count / corpus.avgdl))) AS score
       FROM weighted
       JOIN cairn_postings p ON p.namespace = $1 AND p.term = weighted.term
       JOIN cairn_chunks c ON c.seq = p.chunk_seq
       JOIN cairn_documents d ON d.namespace = c.namespace AND d.id = c.doc_id
       CROSS JOIN corpus
       WHERE ${condition.sql}
       GROUP BY c.seq, c.id
       ORDER BY score DESC, c.seq
       LIMIT $4`,
      [
        options.namespace,
        terms.map((entry) => entry.term),
        terms.map((entry) => entry.weight),
        options.k,
        ...condition.params,
      ],
    );
    return rows.map((row) => ({ chunkId: row.chunk_id, score: Number(row.score) }));
  }

  /**
   * Nearest chunks by cosine distance. Served by the HNSW index with `hnsw.ef_search` at least k
   * and, on pgvector 0.8+, `hnsw.iterative_scan = strict_order`: the index keeps yielding
   * candidates, in exact distance order, until k of them pass the namespace and filter. An
   * iterative scan still stops at `hnsw.max_scan_tuples`, and older pgvector has none, so a
   * result shorter than k is retried as an exact scan over the filtered rows: a filter never
   * costs results, only time. `exact` (per query or for the store) skips the index.
   */
  async searchVector(vector: Float32Array, options: PostgresQueryOptions): Promise<ScoredChunkId[]> {
    if (vector.length !== this.info.dimensions) {
      throw new CairnError(
        'dimension_mismatch',
        `query vector has ${vector.length} dimensions; the index has ${this.info.dimensions}`,
      );
    }
    if (options.k <= 0) return [];
    const exact = options.exact ?? this.#settings.exact;
    if (!exact) {
      const rows = await this.#nearest(vector, options, false);
      if (rows.length >= options.k) return rows;
    }
    return this.#nearest(vector, options, true);
  }

  async #nearest(vector: Float32Array, options: StoreQueryOptions, exact: boolean): Promise<ScoredChunkId[]> {
    const statement = nearestQuery(vector, options, exact ? 'exact' : this.#settings);
    const rows = await this.#transaction(async (client) => {
      if (statement.settings) await client.query(statement.settings.sql, statement.settings.params);
      return (await client.query<{ chunk_id: string; distance: number }>(statement.sql, statement.params))
        .rows;
    });
    return rows.map((row) => ({ chunkId: row.chunk_id, score: 1 - Number(row.distance) }));
  }

  async getChunks(namespace: string, chunkIds: string[]): Promise<StoredChunk[]> {
    if (chunkIds.length === 0) return [];
    const { rows } = await this.#pool.query<ChunkRow>(
      `SELECT c.namespace, c.id, c.doc_id, c.ordinal, c.role, c.parent_id, c.text, c.token_count, c.metadata,
              d.source, d.title
       FROM cairn_chunks c JOIN cairn_documents d ON d.namespace = c.namespace AND d.id = c.doc_id
       WHERE c.namespace = $1 AND c.id = ANY($2::text[])`,
      [namespace, chunkIds],
    );
    const byId = new Map(rows.map((row) => [row.id, toStoredChunk(row)]));
    return chunkIds.flatMap((id) => byId.get(id) ?? []);
  }

  async getEmbeddings(namespace: string, chunkIds: string[]): Promise<Map<string, Float32Array>> {
    if (chunkIds.length === 0) return new Map();
    const { rows } = await this.#pool.query<{ id: string; embedding: string }>(
      `SELECT c.id, e.embedding::text AS embedding
       FROM cairn_chunks c JOIN cairn_embeddings e ON e.chunk_seq = c.seq
       WHERE c.namespace = $1 AND c.id = ANY($2::text[])`,
      [namespace, chunkIds],
    );
    return new Map(rows.map((row) => [row.id, new Float32Array(JSON.parse(row.embedding) as number[])]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/**
 * The SQL of one vector query: an exact scan, or the HNSW index with the transaction-local
 * settings to run first. Exported for the tests that check which plan Postgres picks.
 */
export function nearestQuery(
  vector: Float32Array,
  options: StoreQueryOptions,
  mode: 'exact' | Pick<PostgresStoreSettings, 'efSearch' | 'iterativeScan'>,
): { sql: string; params: unknown[]; settings?: { sql: string; params: unknown[] } } {
  const condition = filterToPgSql(options.filter, 4, options.includeQuarantined);
  // The index orders by the <=> operator only; the function form forces a sequential scan.
  const distance =
    mode === 'exact' ? 'cosine_distance(e.embedding, $1::vector)' : 'e.embedding <=> $1::vector';
  const sql = `SELECT c.id AS chunk_id, ${distance} AS distance
     FROM cairn_embeddings e
     JOIN cairn_chunks c ON c.seq = e.chunk_seq
     JOIN cairn_documents d ON d.namespace = c.namespace AND d.id = c.doc_id
     WHERE e.namespace = $2 AND ${condition.sql}
     ORDER BY ${distance}
     LIMIT $3`;
  const params = [vectorLiteral(vector), options.namespace, options.k, ...condition.params];
  if (mode === 'exact') return { sql, params };
  // Transaction-local settings (set_config(..., true) is SET LOCAL), never SET: they must not leak
  // to other users of a pooled connection. Without enable_seqscan off the planner prefers
  // scanning and sorting the whole table once the query joins documents, up to a few thousand
  // rows; the exact path is that scan, so this path is the index (or, for a selective filter, the
  // primary keys of the filtered documents).
  const efSearch = Math.min(MAX_EF_SEARCH, Math.max(mode.efSearch, options.k));
  const iterative = mode.iterativeScan ? `, set_config('hnsw.iterative_scan', 'strict_order', true)` : '';
  return {
    sql,
    params,
    settings: {
      sql: `SELECT set_config('hnsw.ef_search', $1, true), set_config('enable_seqscan', 'off', true)${iterative}`,
      params: [String(efSearch)],
    },
  };
}

/** Term frequencies and length of one chunk's token stream. */
function countTerms(tokens: string[]): { frequencies: Map<string, number>; length: number } {
  const frequencies = new Map<string, number>();
  for (const token of tokens) frequencies.set(token, (frequencies.get(token) ?? 0) + 1);
  return { frequencies, length: tokens.length };
}

/**
 * Deletes a document inside the caller's transaction, taking its chunks out of the BM25
 * statistics first (the chunks, postings and vectors go by cascade). All three statements of the
 * CTE read the same snapshot, so the statistics subtract exactly what is deleted.
 */
async function removeDocument(client: pg.PoolClient, namespace: string, docId: string): Promise<boolean> {
  const { rows } = await client.query<{ deleted: string }>(
    `WITH old_terms AS (
       SELECT p.term, count(*) AS n
       FROM cairn_postings p JOIN cairn_chunks c ON c.seq = p.chunk_seq
       WHERE c.namespace = $1 AND c.doc_id = $2 AND p.namespace = $1
       GROUP BY p.term
     ), term_update AS (
       UPDATE cairn_term_stats t SET chunk_frequency = t.chunk_frequency - old_terms.n
       FROM old_terms WHERE t.namespace = $1 AND t.term = old_terms.term
     ), old_chunks AS (
       SELECT count(*) AS n, coalesce(sum(term_count), 0) AS total
       FROM cairn_chunks WHERE namespace = $1 AND doc_id = $2 AND term_count IS NOT NULL
     ), corpus_update AS (
       UPDATE cairn_corpus_stats s SET chunk_count = s.chunk_count - old_chunks.n,
                                      term_total = s.term_total - old_chunks.total
       FROM old_chunks WHERE s.namespace = $1 AND old_chunks.n > 0
     ), deleted AS (
       DELETE FROM cairn_documents WHERE namespace = $1 AND id = $2 RETURNING 1
     )
     SELECT count(*) AS deleted FROM deleted`,
    [namespace, docId],
  );
  return Number(rows[0]?.deleted ?? 0) > 0;
}

function toStoredChunk(row: ChunkRow): StoredChunk {
  return {
    id: row.id,
    namespace: row.namespace,
    docId: row.doc_id,
    ordinal: row.ordinal,
    role: row.role,
    ...(row.parent_id === null ? {} : { parentId: row.parent_id }),
    text: row.text,
    tokenCount: row.token_count,
    metadata: row.metadata,
    source: row.source,
    title: row.title,
  };
}

function toStoredDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    namespace: row.namespace,
    source: row.source,
    title: row.title,
    format: row.format,
    contentHash: row.content_hash,
    chunkCount: row.chunk_count,
    ingestedAt: row.ingested_at,
    metadata: row.metadata,
    quarantined: row.quarantined,
    ...(row.injection ? { injection: row.injection } : {}),
  };
}
