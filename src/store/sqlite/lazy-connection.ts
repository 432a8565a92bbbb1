import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** A connection to the index file, opened on first use so that opening a domain creates nothing. */
export interface LazyConnection {
  readonly db: Database.Database;
  /**
   * The statement for `sql`, prepared once per connection: preparing costs tens of microseconds,
   * and a server runs the same few statements for every request.
   */
  prepare(sql: string): Database.Statement;
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
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = this.db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
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
      statements.clear();
      if (db?.open) db.close();
      db = undefined;
    },
  };
}
