import type { AuditStore } from '../../spec/index.ts';
import { lazyConnection } from './lazy-connection.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, tenant TEXT NOT NULL, key_id TEXT NOT NULL,
  route TEXT NOT NULL, query TEXT NOT NULL, doc_ids TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_log_tenant ON audit_log (tenant, seq);`;

/** The `audit_log` table in the index file (its own connection). */
export function openSqliteAudit(indexPath: string): AuditStore {
  const connection = lazyConnection(indexPath, (db) => db.exec(SCHEMA));
  return {
    async append(entry) {
      connection
        .prepare(
          'INSERT INTO audit_log (at, tenant, key_id, route, query, doc_ids) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(entry.at, entry.tenant, entry.keyId, entry.route, entry.query, JSON.stringify(entry.docIds));
    },
    async list(tenant, limit = 100) {
      const rows = connection
        .prepare('SELECT * FROM audit_log WHERE tenant = ? ORDER BY seq DESC LIMIT ?')
        .all(tenant, limit) as Record<string, string>[];
      return rows.map((row) => ({
        at: row.at as string,
        tenant: row.tenant as string,
        keyId: row.key_id as string,
        route: row.route as string,
        query: row.query as string,
        docIds: JSON.parse(row.doc_ids as string) as string[],
      }));
    },
    async purgeOlderThan(days, now = new Date()) {
      const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
      return connection.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff).changes;
    },
    async close() {
      connection.close();
    },
  };
}
