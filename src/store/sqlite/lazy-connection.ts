import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** A connection to the index file, opened on first use so that opening a domain creates nothing. */
export interface LazyConnection {
  readonly db: Database.Database;
  /** True once the connection has been opened. */
  readonly opened: boolean;
  close(): void;
}

/**
 * Each domain keeps its own connection to the index file, as before the registry existed: WAL lets
 * one write while another reads, and `setup` (its CREATE TABLE IF NOT EXISTS) runs on first use.
 */
export function lazyConnection(
  indexPath: string,
  setup: (db: Database.Database) => void,
  options: { wal?: boolean } = {},
): LazyConnection {
  let db: Database.Database | undefined;
  return {
    get db() {
      if (db) return db;
      if (indexPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(indexPath)), { recursive: true });
      const opened = new Database(indexPath);
      opened.pragma('busy_timeout = 5000');
      if (options.wal && indexPath !== ':memory:') opened.pragma('journal_mode = WAL');
      setup(opened);
      db = opened;
      return db;
    },
    get opened() {
      return db !== undefined;
    },
    close() {
      if (db?.open) db.close();
      db = undefined;
    },
  };
}
