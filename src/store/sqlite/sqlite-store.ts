import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import {
  type CairnDocument,
  CairnError,
  type Chunk,
  type CollectionBinding,
  EmbedderMismatchError,
  type IndexInfo,
  type InjectionFinding,
  type ScoredChunkId,
  type Store,
  type StoredChunk,
  type StoredDocument,
  type StoreQueryOptions,
} from '../../spec/index.ts';
import { checkDocumentWrite, searchableText } from '../document-write.ts';
import { filterToSql, hasConstraints } from './filter-sql.ts';
import { toFtsQuery } from './fts-query.ts';
import { migrateDocumentIds, rekeyDocument } from './migrate-document-ids.ts';
import { ADDED_DOCUMENT_COLUMNS, SCHEMA_SQL, SCHEMA_VERSION, vectorTableSql } from './schema.ts';
import { vectorBytes, vectorFromBytes } from './vector-bytes.ts';

/** Options for opening (or creating) an index file. */
export interface SqliteStoreOptions {
  /** Index file path; parent folders are created. Use ':memory:' for a throwaway index. */
  path: string;
  /** The embedder that will write and query vectors; must match the one the index was built with. */
  embedder: { embedderId: string; dimensions: number };
  /** Replace the recorded embedder: drops all vectors and marks every document for re-ingest. */
  reembed?: boolean;
  readonly?: boolean;
}

interface ChunkRow {
  rowid: number;
  namespace: string;
  id: string;
  doc_id: string;
  ordinal: number;
  role: Chunk['role'];
  parent_id: string | null;
  text: string;
  token_count: number;
  metadata: string;
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
  metadata: string;
  chunk_count: number;
  ingested_at: string;
  quarantined: number;
  injection: string | null;
}

/** Content hash recorded for documents whose vectors were dropped by a re-embed. */
const STALE_HASH = 'stale';

/**
 * The embedded default store: one SQLite file with FTS5 (BM25) and sqlite-vec (cosine KNN).
 * Namespaces and filters are applied inside each SQL query, and each document is written in
 * one transaction.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:')
    fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(options.path, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (cause) {
    throw new CairnError('invalid_input', `cannot open index ${options.path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  sqliteVec.load(db);
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  let info: IndexInfo;
  try {
    info = initialize(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStore(db, info);
}

function addMissingColumns(db: Database.Database): void {
  const present = new Set(
    (db.prepare('PRAGMA table_info(documents)').all() as { name: string }[]).map((c) => c.name),
  );
  for (const [column, definition] of Object.entries(ADDED_DOCUMENT_COLUMNS)) {
    if (!present.has(column)) db.exec(`ALTER TABLE documents ADD COLUMN ${column} ${definition}`);
  }
}

function initialize(db: Database.Database, options: SqliteStoreOptions): IndexInfo {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (!hasMeta && options.readonly) {
    throw new CairnError('invalid_input', `${options.path} is not a cairn index (no meta table)`);
  }
  if (!options.readonly) {
    db.exec(SCHEMA_SQL);
    addMissingColumns(db);
  }
  const readMeta = (key: string) =>
    (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  const writeMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );

  const schemaVersion = Number(readMeta('schema_version') ?? SCHEMA_VERSION);
  if (schemaVersion === 1 && !options.readonly) {
    // Version 1 differs only in its document ids; they move to `<collection>/<path>` in place.
    db.transaction(() => {
      migrateDocumentIds(db);
      writeMeta.run('schema_version', String(SCHEMA_VERSION));
    })();
  } else if (schemaVersion !== SCHEMA_VERSION) {
    const hint =
      schemaVersion === 1
        ? 'Open it once for writing (e.g. cairn ingest) to migrate it.'
        : 'Re-create the index.';
    throw new CairnError(
      'invalid_input',
      `${options.path} has schema version ${schemaVersion}; this cairn reads version ${SCHEMA_VERSION}. ${hint}`,
    );
  }
  const recorded = readMeta('embedder_id');
  const recordedDimensions = Number(readMeta('dimensions'));
  const wanted = options.embedder;
  if (
    recorded !== undefined &&
    (recorded !== wanted.embedderId || recordedDimensions !== wanted.dimensions)
  ) {
    if (!options.reembed) {
      throw new EmbedderMismatchError(
        options.path,
        { embedderId: recorded, dimensions: recordedDimensions },
        wanted,
      );
    }
    db.transaction(() => {
      db.exec('DROP TABLE IF EXISTS chunks_vec');
      db.prepare('UPDATE documents SET content_hash = ?').run(STALE_HASH);
    })();
  }
  if (!options.readonly) {
    db.transaction(() => {
      db.exec(vectorTableSql(wanted.dimensions));
      writeMeta.run('schema_version', String(SCHEMA_VERSION));
      writeMeta.run('embedder_id', wanted.embedderId);
      writeMeta.run('dimensions', String(wanted.dimensions));
      if (readMeta('created_at') === undefined) writeMeta.run('created_at', new Date().toISOString());
    })();
  }
  return {
    embedderId: wanted.embedderId,
    dimensions: wanted.dimensions,
    schemaVersion: SCHEMA_VERSION,
    createdAt: readMeta('created_at') ?? new Date().toISOString(),
  };
}

export { searchableText };

class SqliteStore implements Store {
  readonly specificationVersion = 'v1';
  readonly provider = 'sqlite';
  readonly info: IndexInfo;
  readonly #db: Database.Database;
  readonly #statements;
  // Queries whose SQL varies with the filter are prepared once per distinct text and kept:
  // preparing is a measurable share of a search under load.
  readonly #prepared = new Map<string, Database.Statement>();

  constructor(db: Database.Database, info: IndexInfo) {
    this.#db = db;
    this.info = info;
    this.#statements = {
      documentHash: db.prepare('SELECT content_hash FROM documents WHERE namespace = ? AND id = ?'),
      chunkRowids: db.prepare('SELECT rowid, role FROM chunks WHERE namespace = ? AND doc_id = ?'),
      deleteFts: db.prepare('DELETE FROM chunks_fts WHERE rowid = ?'),
      deleteVector: db.prepare('DELETE FROM chunks_vec WHERE rowid = ?'),
      deleteChunks: db.prepare('DELETE FROM chunks WHERE namespace = ? AND doc_id = ?'),
      deleteDocument: db.prepare('DELETE FROM documents WHERE namespace = ? AND id = ?'),
      insertDocument: db.prepare(
        `INSERT INTO documents (namespace, id, source, title, format, content_hash, metadata, chunk_count, ingested_at,
           quarantined, injection)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertChunk: db.prepare(
        `INSERT INTO chunks (namespace, id, doc_id, ordinal, role, parent_id, text, token_count, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertFts: db.prepare('INSERT INTO chunks_fts (rowid, text) VALUES (?, ?)'),
      insertVector: db.prepare('INSERT INTO chunks_vec (rowid, namespace, embedding) VALUES (?, ?, ?)'),
      listDocuments: db.prepare('SELECT * FROM documents WHERE namespace = ? ORDER BY source, id'),
      countChunks: db.prepare(`SELECT count(*) AS n FROM chunks WHERE namespace = ? AND role != 'parent'`),
      quarantinedRowids: db.prepare(
        `SELECT c.rowid AS rowid FROM chunks c JOIN documents d ON d.namespace = c.namespace AND d.id = c.doc_id
         WHERE d.namespace = ? AND d.quarantined = 1 AND c.role != 'parent'`,
      ),
      knn: db.prepare(
        'SELECT rowid, distance FROM chunks_vec WHERE embedding MATCH ? AND k = ? AND namespace = ? ORDER BY distance',
      ),
    };
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      // Filters are built from a bounded set of shapes; the bound only guards against a runaway.
      if (this.#prepared.size >= 256) this.#prepared.clear();
      this.#prepared.set(sql, statement);
    }
    return statement;
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
    const s = this.#statements;
    this.#db.transaction(() => {
      this.#deleteDocumentRows(namespace, document.id);
      s.insertDocument.run(
        namespace,
        document.id,
        document.source,
        document.title,
        document.format,
        document.contentHash,
        JSON.stringify(document.metadata),
        searchable.length,
        new Date().toISOString(),
        injection ? 1 : 0,
        injection ? JSON.stringify(injection) : null,
      );
      let vectorIndex = 0;
      for (const chunk of chunks) {
        const { lastInsertRowid } = s.insertChunk.run(
          namespace,
          chunk.id,
          document.id,
          chunk.ordinal,
          chunk.role,
          chunk.parentId ?? null,
          chunk.text,
          chunk.tokenCount,
          JSON.stringify(chunk.metadata),
        );
        if (chunk.role === 'parent') continue;
        const rowid = BigInt(lastInsertRowid);
        s.insertFts.run(rowid, searchableText(document.title, chunk));
        const vector = embeddings[vectorIndex++] as Float32Array;
        s.insertVector.run(rowid, namespace, vectorBytes(vector));
      }
    })();
  }

  async setQuarantined(namespace: string, docId: string, quarantined: boolean): Promise<boolean> {
    return (
      this.#prepare('UPDATE documents SET quarantined = ? WHERE namespace = ? AND id = ?').run(
        quarantined ? 1 : 0,
        namespace,
        docId,
      ).changes > 0
    );
  }

  async getDocumentHash(namespace: string, docId: string): Promise<string | undefined> {
    const row = this.#statements.documentHash.get(namespace, docId) as { content_hash: string } | undefined;
    return row?.content_hash;
  }

  async deleteDocument(namespace: string, docId: string): Promise<boolean> {
    return this.#db.transaction(() => this.#deleteDocumentRows(namespace, docId))();
  }

  #deleteDocumentRows(namespace: string, docId: string): boolean {
    const s = this.#statements;
    const rows = s.chunkRowids.all(namespace, docId) as { rowid: number; role: string }[];
    for (const row of rows) {
      if (row.role === 'parent') continue;
      s.deleteFts.run(row.rowid);
      s.deleteVector.run(BigInt(row.rowid));
    }
    s.deleteChunks.run(namespace, docId);
    return s.deleteDocument.run(namespace, docId).changes > 0;
  }

  async listDocuments(namespace: string): Promise<StoredDocument[]> {
    return (this.#statements.listDocuments.all(namespace) as DocumentRow[]).map(toStoredDocument);
  }

  async getDocuments(namespace: string, docIds: string[]): Promise<StoredDocument[]> {
    if (docIds.length === 0) return [];
    const rows = this.#prepare(
      'SELECT * FROM documents WHERE namespace = ? AND id IN (SELECT value FROM json_each(?))',
    ).all(namespace, JSON.stringify(docIds)) as DocumentRow[];
    return rows.map(toStoredDocument);
  }

  async countChunks(namespace: string): Promise<number> {
    return (this.#statements.countChunks.get(namespace) as { n: number }).n;
  }

  async listCollections(namespace: string): Promise<CollectionBinding[]> {
    return this.#prepare('SELECT name, root FROM collections WHERE namespace = ? ORDER BY name').all(
      namespace,
    ) as CollectionBinding[];
  }

  async bindCollection(namespace: string, binding: CollectionBinding): Promise<void> {
    this.#prepare(
      `INSERT INTO collections (namespace, name, root) VALUES (?, ?, ?)
         ON CONFLICT(namespace, name) DO UPDATE SET root = excluded.root`,
    ).run(namespace, binding.name, binding.root);
  }

  async renameCollection(namespace: string, from: string, to: string): Promise<number> {
    const rows = this.#prepare(
      `SELECT id, source, format, metadata FROM documents
         WHERE namespace = ? AND json_extract(metadata, '$.collection') = ?`,
    ).all(namespace, from) as Pick<DocumentRow, 'id' | 'source' | 'format' | 'metadata'>[];
    return this.#db.transaction(() => {
      for (const row of rows) {
        const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
        const newer = metadata.superseded_by;
        if (typeof newer === 'string' && newer.startsWith(`${from}/`))
          metadata.superseded_by = `${to}/${newer.slice(from.length + 1)}`;
        rekeyDocument(this.#db, {
          namespace,
          from: row.id,
          to: row.format === 'beir' ? row.id : `${to}/${row.source}`,
          metadata: { ...metadata, collection: to },
        });
      }
      this.#prepare('DELETE FROM collections WHERE namespace = ? AND name = ?').run(namespace, to);
      this.#prepare('UPDATE collections SET name = ? WHERE namespace = ? AND name = ?').run(
        to,
        namespace,
        from,
      );
      return rows.length;
    })();
  }

  async getSetting(namespace: string, key: string): Promise<string | undefined> {
    // A read-only index written before settings existed has no table: nothing was recorded.
    const exists = this.#prepare(
      `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'`,
    ).get();
    if (!exists) return undefined;
    const row = this.#prepare('SELECT value FROM settings WHERE namespace = ? AND key = ?').get(
      namespace,
      key,
    ) as { value: string } | undefined;
    return row?.value;
  }

  async setSetting(namespace: string, key: string, value: string): Promise<void> {
    this.#prepare(
      `INSERT INTO settings (namespace, key, value) VALUES (?, ?, ?)
         ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value`,
    ).run(namespace, key, value);
  }

  async searchText(query: string, options: StoreQueryOptions): Promise<ScoredChunkId[]> {
    const ftsQuery = toFtsQuery(query);
    if (ftsQuery === undefined || options.k <= 0) return [];
    const condition = filterToSql(options.filter, options.includeQuarantined);
    // FTS5's bm25() is lower-is-better (negative); negate so every store scores higher-is-better.
    const rows = this.#prepare(
      `SELECT c.id AS chunkId, -bm25(chunks_fts) AS score
         FROM chunks_fts
         JOIN chunks c ON c.rowid = chunks_fts.rowid
         JOIN documents d ON d.namespace = c.namespace AND d.id = c.doc_id
         WHERE chunks_fts MATCH ? AND c.namespace = ? AND ${condition.sql}
         ORDER BY bm25(chunks_fts)
         LIMIT ?`,
    ).all(ftsQuery, options.namespace, ...condition.params, options.k) as ScoredChunkId[];
    return rows;
  }

  async searchVector(vector: Float32Array, options: StoreQueryOptions): Promise<ScoredChunkId[]> {
    if (vector.length !== this.info.dimensions) {
      throw new CairnError(
        'dimension_mismatch',
        `query vector has ${vector.length} dimensions; the index has ${this.info.dimensions}`,
      );
    }
    if (options.k <= 0) return [];
    const bytes = vectorBytes(vector);
    let rows: { rowid: number; distance: number }[];
    if (hasConstraints(options.filter)) {
      // Exact scan over the filtered rows, so k results come back even when the filter is selective.
      const condition = filterToSql(options.filter, options.includeQuarantined);
      rows = this.#prepare(
        `SELECT c.rowid AS rowid, vec_distance_cosine(v.embedding, ?) AS distance
           FROM chunks c
           JOIN documents d ON d.namespace = c.namespace AND d.id = c.doc_id
           JOIN chunks_vec v ON v.rowid = c.rowid
           WHERE c.namespace = ? AND c.role != 'parent' AND ${condition.sql}
           ORDER BY distance
           LIMIT ?`,
      ).all(bytes, options.namespace, ...condition.params, options.k) as typeof rows;
    } else {
      // The vector index knows nothing of quarantine: over-fetch by the quarantined chunks, then drop them.
      const excluded = options.includeQuarantined
        ? new Set<number>()
        : this.#quarantinedRowids(options.namespace);
      rows = (
        this.#statements.knn.all(
          bytes,
          Math.min(options.k + excluded.size, 4096),
          options.namespace,
        ) as typeof rows
      )
        .filter((row) => !excluded.has(row.rowid))
        .slice(0, options.k);
    }
    if (rows.length === 0) return [];
    const ids = this.#idsForRowids(rows.map((row) => row.rowid));
    return rows.flatMap((row) => {
      const chunkId = ids.get(row.rowid);
      return chunkId === undefined ? [] : [{ chunkId, score: 1 - row.distance }];
    });
  }

  #quarantinedRowids(namespace: string): Set<number> {
    const rows = this.#statements.quarantinedRowids.all(namespace) as { rowid: number }[];
    return new Set(rows.map((row) => row.rowid));
  }

  #idsForRowids(rowids: number[]): Map<number, string> {
    const rows = this.#prepare(
      'SELECT rowid, id FROM chunks WHERE rowid IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify(rowids)) as { rowid: number; id: string }[];
    return new Map(rows.map((row) => [row.rowid, row.id]));
  }

  async getChunks(namespace: string, chunkIds: string[]): Promise<StoredChunk[]> {
    if (chunkIds.length === 0) return [];
    const rows = this.#prepare(
      `SELECT c.*, d.source AS source, d.title AS title
         FROM chunks c JOIN documents d ON d.namespace = c.namespace AND d.id = c.doc_id
         WHERE c.namespace = ? AND c.id IN (SELECT value FROM json_each(?))`,
    ).all(namespace, JSON.stringify(chunkIds)) as ChunkRow[];
    const byId = new Map(rows.map((row) => [row.id, toStoredChunk(row)]));
    return chunkIds.flatMap((id) => byId.get(id) ?? []);
  }

  async getEmbeddings(namespace: string, chunkIds: string[]): Promise<Map<string, Float32Array>> {
    if (chunkIds.length === 0) return new Map();
    const rows = this.#prepare(
      `SELECT c.id AS id, v.embedding AS embedding
         FROM chunks c JOIN chunks_vec v ON v.rowid = c.rowid
         WHERE c.namespace = ? AND c.id IN (SELECT value FROM json_each(?))`,
    ).all(namespace, JSON.stringify(chunkIds)) as { id: string; embedding: Buffer }[];
    return new Map(rows.map((row) => [row.id, vectorFromBytes(row.embedding)]));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
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
    metadata: JSON.parse(row.metadata) as StoredChunk['metadata'],
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
    metadata: JSON.parse(row.metadata) as StoredDocument['metadata'],
    quarantined: row.quarantined === 1,
    ...(row.injection ? { injection: JSON.parse(row.injection) as InjectionFinding } : {}),
  };
}
