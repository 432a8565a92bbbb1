import Database from 'better-sqlite3';
import { redactPii } from '../guard/index.ts';

/** One audit entry: who asked what, and which documents came back. */
export interface AuditEntry {
  at: string;
  tenant: string;
  keyId: string;
  route: string;
  /** The question or query, PII-redacted before it is written. */
  query: string;
  docIds: string[];
}

/** An append-only record of searches and answers, kept in the index file. */
export interface AuditLog {
  append(entry: Omit<AuditEntry, 'at' | 'query'> & { query: string }): void;
  /** The tenant's newest entries first. */
  list(tenant: string, limit?: number): AuditEntry[];
  /** Deletes entries older than the retention period; returns how many. */
  purgeOlderThan(days: number, now?: Date): number;
  close(): void;
}

/** Opens the audit table (its own connection). Entries are never updated; only retention removes them. */
export function openAuditLog(indexPath: string): AuditLog {
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, tenant TEXT NOT NULL, key_id TEXT NOT NULL,
    route TEXT NOT NULL, query TEXT NOT NULL, doc_ids TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS audit_log_tenant ON audit_log (tenant, seq);`);
  const insert = db.prepare(
    'INSERT INTO audit_log (at, tenant, key_id, route, query, doc_ids) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    append(entry) {
      insert.run(
        new Date().toISOString(),
        entry.tenant,
        entry.keyId,
        entry.route,
        redactPii(entry.query).text.slice(0, 2000),
        JSON.stringify([...new Set(entry.docIds)]),
      );
    },
    list(tenant, limit = 100) {
      return (
        db
          .prepare('SELECT * FROM audit_log WHERE tenant = ? ORDER BY seq DESC LIMIT ?')
          .all(tenant, limit) as Record<string, string>[]
      ).map((row) => ({
        at: row.at as string,
        tenant: row.tenant as string,
        keyId: row.key_id as string,
        route: row.route as string,
        query: row.query as string,
        docIds: JSON.parse(row.doc_ids as string) as string[],
      }));
    },
    purgeOlderThan(days, now = new Date()) {
      const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
      return db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff).changes;
    },
    close() {
      db.close();
    },
  };
}
