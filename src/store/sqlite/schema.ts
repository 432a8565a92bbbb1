/**
 * Bumped whenever the tables or the id scheme change. Version 1 indexes are migrated on open
 * (see `migrateDocumentIds`); any other version is refused.
 */
export const SCHEMA_VERSION = 2;

/** Tables of one index file. Vectors live in a sqlite-vec table created once the dimension is known. */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
  namespace    TEXT NOT NULL,
  id           TEXT NOT NULL,
  source       TEXT NOT NULL,
  title        TEXT NOT NULL,
  format       TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  metadata     TEXT NOT NULL,
  chunk_count  INTEGER NOT NULL,
  ingested_at  TEXT NOT NULL,
  quarantined  INTEGER NOT NULL DEFAULT 0,
  injection    TEXT,
  PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks (
  rowid       INTEGER PRIMARY KEY,
  namespace   TEXT NOT NULL,
  id          TEXT NOT NULL,
  doc_id      TEXT NOT NULL,
  ordinal     INTEGER NOT NULL,
  role        TEXT NOT NULL,
  parent_id   TEXT,
  text        TEXT NOT NULL,
  token_count INTEGER NOT NULL,
  metadata    TEXT NOT NULL,
  UNIQUE (namespace, id)
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks (namespace, doc_id);
CREATE TABLE IF NOT EXISTS collections (
  namespace TEXT NOT NULL,
  name      TEXT NOT NULL,
  root      TEXT NOT NULL,
  PRIMARY KEY (namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (
  namespace TEXT NOT NULL,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  text, content='', contentless_delete=1, tokenize='porter unicode61'
);
`;

/** The vector table; cosine distance, partitioned by namespace so KNN never crosses tenants. */
export function vectorTableSql(dimensions: number): string {
  return `CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vec USING vec0(
    namespace TEXT PARTITION KEY,
    embedding FLOAT[${dimensions}] distance_metric=cosine
  )`;
}

/**
 * Columns added after schema version 1 shipped, with their definitions. Older index files get them
 * on open (an added column with a default is a metadata-only change in SQLite).
 */
export const ADDED_DOCUMENT_COLUMNS: Record<string, string> = {
  quarantined: 'INTEGER NOT NULL DEFAULT 0',
  injection: 'TEXT',
};
