import path from 'node:path';
import type Database from 'better-sqlite3';

interface LegacyDocumentRow {
  namespace: string;
  id: string;
  source: string;
  format: string;
  metadata: string;
}

const COLLECTION_CHARACTERS = /[^A-Za-z0-9._-]+/g;

/**
 * Moves documents written before collections existed (schema version 1: ids were paths without
 * extension, metadata held the absolute ingest `root`) to the current scheme: id
 * `<basename(root)>/<source>` (BEIR records keep theirs), metadata `collection` instead of
 * `root`, `superseded_by` rewritten to the new ids, and each root bound to its collection.
 * Two roots with the same base name get `name`, `name-2`, ...; cached answers (which cite old
 * ids) are cleared. Chunk rowids do not change, so FTS and vector rows stay as they are. Runs
 * in the caller's transaction and is idempotent: only documents still holding `root` are touched.
 */
export function migrateDocumentIds(db: Database.Database): number {
  const rows = db
    .prepare(
      `SELECT namespace, id, source, format, metadata FROM documents
       WHERE json_extract(metadata, '$.root') IS NOT NULL ORDER BY namespace, source, id`,
    )
    .all() as LegacyDocumentRow[];
  const bindings = db.prepare('SELECT namespace, name, root FROM collections').all() as {
    namespace: string;
    name: string;
    root: string;
  }[];
  const nameOfRoot = new Map(bindings.map((b) => [`${b.namespace}\0${b.root}`, b.name]));
  const usedNames = new Set(bindings.map((b) => `${b.namespace}\0${b.name}`));
  const collectionFor = (namespace: string, root: string): string => {
    const known = nameOfRoot.get(`${namespace}\0${root}`);
    if (known !== undefined) return known;
    const base = path.basename(root).replace(COLLECTION_CHARACTERS, '-').slice(0, 90);
    const stem = base === '' || base === '.' || base === '..' ? 'documents' : base;
    let name = stem;
    for (let n = 2; usedNames.has(`${namespace}\0${name}`); n++) name = `${stem}-${n}`;
    nameOfRoot.set(`${namespace}\0${root}`, name);
    usedNames.add(`${namespace}\0${name}`);
    db.prepare('INSERT INTO collections (namespace, name, root) VALUES (?, ?, ?)').run(namespace, name, root);
    return name;
  };

  const planned = rows.map((row) => {
    const metadata = JSON.parse(row.metadata) as Record<string, string | number | boolean>;
    const recordedRoot = String(metadata.root);
    // A single-file ingest recorded the file itself as its root; its collection is the folder.
    const root = path.basename(recordedRoot) === fileOf(row) ? path.dirname(recordedRoot) : recordedRoot;
    const collection = collectionFor(row.namespace, root);
    const newId = row.format === 'beir' ? row.id : `${collection}/${row.source}`;
    return { row, metadata, collection, newId };
  });
  const newIds = new Map(planned.map((p) => [`${p.row.namespace}\0${p.row.id}`, p.newId]));
  const bySource = new Map(
    planned.map((p) => [`${p.row.namespace}\0${p.collection}\0${p.row.source}`, p.newId]),
  );
  for (const { row, metadata, collection, newId } of planned) {
    const { root: _root, ...rest } = metadata;
    const next: Record<string, string | number | boolean> = { ...rest, collection };
    const newer = metadata.superseded_by;
    if (typeof newer === 'string') {
      next.superseded_by =
        newIds.get(`${row.namespace}\0${newer}`) ??
        bySource.get(`${row.namespace}\0${collection}\0${newer}`) ??
        newer;
    }
    rekeyDocument(db, { namespace: row.namespace, from: row.id, to: newId, metadata: next });
  }
  const hasCache = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answer_cache'`)
    .get();
  if (hasCache && rows.length > 0) db.exec('DELETE FROM answer_cache');
  return rows.length;
}

/**
 * Gives a document a new id and metadata; its chunks follow (`<from>#n` becomes `<to>#n`, parent
 * links too). Rowids are kept, so full-text and vector rows need no change.
 */
export function rekeyDocument(
  db: Database.Database,
  change: { namespace: string; from: string; to: string; metadata: Record<string, unknown> },
): void {
  const { namespace, from, to } = change;
  db.prepare('UPDATE documents SET id = ?, metadata = ? WHERE namespace = ? AND id = ?').run(
    to,
    JSON.stringify(change.metadata),
    namespace,
    from,
  );
  if (from === to) return;
  db.prepare(
    `UPDATE chunks SET
       id = @to || substr(id, length(@from) + 1),
       parent_id = CASE WHEN parent_id IS NULL THEN NULL ELSE @to || substr(parent_id, length(@from) + 1) END,
       doc_id = @to
     WHERE namespace = @namespace AND doc_id = @from`,
  ).run({ namespace, from, to });
}

/** The file a document came from, relative to its root (a BEIR source is `<file>#<_id>`). */
function fileOf(row: LegacyDocumentRow): string {
  const suffix = `#${row.id}`;
  return row.format === 'beir' && row.source.endsWith(suffix)
    ? row.source.slice(0, -suffix.length)
    : row.source;
}
