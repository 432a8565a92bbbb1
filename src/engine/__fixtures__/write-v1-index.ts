import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { type ChunkingConfig, createChunker } from '../../chunk/index.ts';
import { embedMany } from '../../embed/embed-many.ts';
import { loadDocuments } from '../../ingest/index.ts';
import { type CairnDocument, type EmbeddingModel, embedderId } from '../../spec/index.ts';
import { searchableText } from '../../store/sqlite/index.ts';
import { vectorBytes } from '../../store/sqlite/vector-bytes.ts';
import { chunkingFingerprint } from '../ingest-path.ts';

// The tables exactly as schema version 1 created them (before collections).
const V1_SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
  namespace TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL,
  format TEXT NOT NULL, content_hash TEXT NOT NULL, metadata TEXT NOT NULL,
  chunk_count INTEGER NOT NULL, ingested_at TEXT NOT NULL,
  quarantined INTEGER NOT NULL DEFAULT 0, injection TEXT,
  PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
CREATE TABLE chunks (
  rowid INTEGER PRIMARY KEY, namespace TEXT NOT NULL, id TEXT NOT NULL, doc_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL, role TEXT NOT NULL, parent_id TEXT, text TEXT NOT NULL,
  token_count INTEGER NOT NULL, metadata TEXT NOT NULL, UNIQUE (namespace, id)
);
CREATE INDEX chunks_by_document ON chunks (namespace, doc_id);
CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='', contentless_delete=1, tokenize='porter unicode61');
`;

/** One `cairn ingest` run of the old code: a folder or file into a namespace. */
export interface V1Input {
  namespace: string;
  inputPath: string;
}

/**
 * Writes an index file the way cairn did at schema version 1: a file's id was its path without
 * extension (keeping it only when two files of one run collided), BEIR records kept their `_id`,
 * metadata held the absolute `root` (for a single file, the file itself) and `superseded_by`
 * held the old id. Content hashes and vectors are real, so a re-ingest can find them unchanged.
 */
export async function writeV1Index(
  file: string,
  options: { embedder: EmbeddingModel; chunking: ChunkingConfig; inputs: V1Input[] },
): Promise<void> {
  const db = new Database(file);
  sqliteVec.load(db);
  try {
    db.exec(V1_SCHEMA_SQL);
    db.exec(`CREATE VIRTUAL TABLE chunks_vec USING vec0(
      namespace TEXT PARTITION KEY, embedding FLOAT[${options.embedder.dimensions}] distance_metric=cosine)`);
    const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    meta.run('schema_version', '1');
    meta.run('embedder_id', embedderId(options.embedder));
    meta.run('dimensions', String(options.embedder.dimensions));
    meta.run('created_at', '2026-11-01T00:00:00.000Z');
    const chunker = createChunker(options.chunking);
    for (const input of options.inputs) {
      const loaded: CairnDocument[] = [];
      for await (const result of loadDocuments(input.inputPath))
        if (result.ok === true) loaded.push(result.document);
      const oldIds = oldScheme(loaded);
      for (const document of loaded) {
        const id = oldIds.get(document.id) ?? document.id;
        const metadata: Record<string, string | number | boolean> = {
          ...document.metadata,
          root: path.resolve(input.inputPath),
        };
        const newer = metadata.superseded_by;
        if (typeof newer === 'string') metadata.superseded_by = oldIds.get(newer) ?? newer;
        const chunks = chunker.chunk({ ...document, id });
        const searchable = chunks.filter((chunk) => chunk.role !== 'parent');
        const { embeddings } = await embedMany(
          options.embedder,
          searchable.map((chunk) => searchableText(document.title, chunk)),
        );
        db.prepare(
          `INSERT INTO documents (namespace, id, source, title, format, content_hash, metadata, chunk_count, ingested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          input.namespace,
          id,
          document.source,
          document.title,
          document.format,
          `${chunkingFingerprint(options.chunking)}:${document.contentHash}`,
          JSON.stringify(metadata),
          searchable.length,
          '2026-11-01T00:00:00.000Z',
        );
        let vector = 0;
        for (const chunk of chunks) {
          const { lastInsertRowid } = db
            .prepare(
              `INSERT INTO chunks (namespace, id, doc_id, ordinal, role, parent_id, text, token_count, metadata)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              input.namespace,
              chunk.id,
              id,
              chunk.ordinal,
              chunk.role,
              chunk.parentId ?? null,
              chunk.text,
              chunk.tokenCount,
              JSON.stringify(chunk.metadata),
            );
          if (chunk.role === 'parent') continue;
          const rowid = BigInt(lastInsertRowid);
          db.prepare('INSERT INTO chunks_fts (rowid, text) VALUES (?, ?)').run(
            rowid,
            searchableText(document.title, chunk),
          );
          db.prepare('INSERT INTO chunks_vec (rowid, namespace, embedding) VALUES (?, ?, ?)').run(
            rowid,
            input.namespace,
            vectorBytes(embeddings[vector++] as Float32Array),
          );
        }
      }
    }
  } finally {
    db.close();
  }
}

/** Today's id of each loaded document mapped to the id schema version 1 gave it. */
function oldScheme(documents: CairnDocument[]): Map<string, string> {
  const used = new Set<string>();
  const ids = new Map<string, string>();
  for (const document of documents) {
    if (document.format === 'beir') continue;
    const extension = path.posix.extname(document.source);
    const stem = extension === '' ? document.source : document.source.slice(0, -extension.length);
    const id = used.has(stem) ? document.source : stem;
    used.add(id);
    ids.set(document.id, id);
  }
  return ids;
}
