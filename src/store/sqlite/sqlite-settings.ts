import fs from 'node:fs';
import Database from 'better-sqlite3';
import { CairnError, type IndexEmbedder, type IndexSettingsStore } from '../../spec/index.ts';
import { lazyConnection } from './lazy-connection.ts';

/** Embedder and dimension recorded in an existing index, or undefined when the file does not exist. */
export function readIndexEmbedder(indexPath: string): IndexEmbedder | undefined {
  if (indexPath === ':memory:' || !fs.existsSync(indexPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(indexPath, { readonly: true, fileMustExist: true });
    const rows = db
      .prepare(`SELECT key, value FROM meta WHERE key IN ('embedder_id', 'dimensions')`)
      .all() as { key: string; value: string }[];
    const meta = new Map(rows.map((row) => [row.key, row.value]));
    const embedderId = meta.get('embedder_id');
    if (embedderId === undefined) return undefined;
    return { embedderId, dimensions: Number(meta.get('dimensions')) };
  } catch (cause) {
    throw new CairnError(
      'invalid_input',
      `${indexPath} is not a readable cairn index (${(cause as Error).message}); pass another --index or delete the file`,
      { cause },
    );
  } finally {
    db?.close();
  }
}

/**
 * Index settings in the index file: the embedder in the `meta` table the document store writes,
 * per-namespace values in its `settings` table (the same rows `Store.getSetting` reads).
 */
export function openSqliteSettings(indexPath: string): IndexSettingsStore {
  const connection = lazyConnection(indexPath, () => {});
  const hasTable = (name: string) =>
    connection.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !==
    undefined;
  return {
    async readEmbedder() {
      return readIndexEmbedder(indexPath);
    },
    async recordEmbedder(embedder) {
      const { db } = connection;
      db.transaction(() => {
        db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
        const write = connection.prepare(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        );
        write.run('embedder_id', embedder.embedderId);
        write.run('dimensions', String(embedder.dimensions));
      })();
    },
    async getSetting(namespace, key) {
      if (indexPath !== ':memory:' && !fs.existsSync(indexPath)) return undefined;
      // An index written before settings existed has no table: nothing was recorded.
      if (!hasTable('settings')) return undefined;
      const row = connection
        .prepare('SELECT value FROM settings WHERE namespace = ? AND key = ?')
        .get(namespace, key) as { value: string } | undefined;
      return row?.value;
    },
    async setSetting(namespace, key, value) {
      const { db } = connection;
      db.exec(`CREATE TABLE IF NOT EXISTS settings (
        namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID`);
      connection
        .prepare(
          `INSERT INTO settings (namespace, key, value) VALUES (?, ?, ?)
         ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value`,
        )
        .run(namespace, key, value);
    },
    async close() {
      connection.close();
    },
  };
}
