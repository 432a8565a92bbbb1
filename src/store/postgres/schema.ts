/** One step of the schema; applied in order, each in its own transaction, and recorded. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema as numbered migrations. Every table is prefixed `cairn_` so the store can share a
 * database with other applications. Vectors live in `cairn_embeddings`, created once the
 * embedder's dimension is known (see {@link embeddingsTableSql}).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, chunks, BM25 statistics, collections, settings',
    sql: `
CREATE TABLE cairn_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE cairn_documents (
  namespace    text NOT NULL,
  id           text NOT NULL,
  source       text NOT NULL,
  title        text NOT NULL,
  format       text NOT NULL,
  content_hash text NOT NULL,
  metadata     jsonb NOT NULL,
  chunk_count  integer NOT NULL,
  ingested_at  text NOT NULL,
  quarantined  boolean NOT NULL DEFAULT false,
  injection    jsonb,
  PRIMARY KEY (namespace, id)
);
CREATE TABLE cairn_chunks (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  namespace   text NOT NULL,
  id          text NOT NULL,
  doc_id      text NOT NULL,
  ordinal     integer NOT NULL,
  role        text NOT NULL,
  parent_id   text,
  text        text NOT NULL,
  token_count integer NOT NULL,
  metadata    jsonb NOT NULL,
  -- BM25 length: tokens of the searchable text; NULL for parent chunks, which are never matched.
  term_count  integer,
  UNIQUE (namespace, id),
  FOREIGN KEY (namespace, doc_id) REFERENCES cairn_documents (namespace, id)
    ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX cairn_chunks_by_document ON cairn_chunks (namespace, doc_id);
-- Term frequency of each term in each searchable chunk.
CREATE TABLE cairn_postings (
  namespace text NOT NULL,
  term      text NOT NULL,
  chunk_seq bigint NOT NULL REFERENCES cairn_chunks (seq) ON DELETE CASCADE,
  frequency integer NOT NULL,
  PRIMARY KEY (namespace, term, chunk_seq)
);
CREATE INDEX cairn_postings_by_chunk ON cairn_postings (chunk_seq);
-- Document frequency: searchable chunks of the namespace that contain the term.
CREATE TABLE cairn_term_stats (
  namespace       text NOT NULL,
  term            text NOT NULL,
  chunk_frequency bigint NOT NULL,
  PRIMARY KEY (namespace, term)
);
-- Corpus totals for BM25: searchable chunks and their summed lengths.
CREATE TABLE cairn_corpus_stats (
  namespace   text PRIMARY KEY,
  chunk_count bigint NOT NULL,
  term_total  bigint NOT NULL
);
CREATE TABLE cairn_collections (
  namespace text NOT NULL,
  name      text NOT NULL,
  root      text NOT NULL,
  PRIMARY KEY (namespace, name)
);
CREATE TABLE cairn_settings (
  namespace text NOT NULL,
  key       text NOT NULL,
  value     text NOT NULL,
  PRIMARY KEY (namespace, key)
);`,
  },
  {
    version: 2,
    name: 'GIN index for metadata filters',
    // Metadata filters compile to one jsonb containment test, which this index answers.
    sql: 'CREATE INDEX cairn_documents_metadata ON cairn_documents USING gin (metadata jsonb_path_ops);',
  },
];

/** The version a store opened by this code ends at. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The vector table for one dimension, with its HNSW index (cosine distance). The namespace is
 * repeated here so a vector query filters without a join when no other filter applies.
 */
export function embeddingsTableSql(dimensions: number): string {
  return `
CREATE TABLE IF NOT EXISTS cairn_embeddings (
  chunk_seq bigint PRIMARY KEY REFERENCES cairn_chunks (seq) ON DELETE CASCADE,
  namespace text NOT NULL,
  embedding vector(${dimensions}) NOT NULL
);
CREATE INDEX IF NOT EXISTS cairn_embeddings_hnsw ON cairn_embeddings USING hnsw (embedding vector_cosine_ops);`;
}
