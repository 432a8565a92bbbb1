import type pg from 'pg';
import type { AuditEntry, AuditStore } from '../../spec/index.ts';

type Row = { at: string; tenant: string; key_id: string; route: string; query: string; doc_ids: string[] };

/** The append-only `audit_log` table; `seq` keeps append order whatever the clocks say. */
export function createPgAudit(pool: pg.Pool): AuditStore {
  return {
    async append(entry) {
      await pool.query(
        'INSERT INTO audit_log (at, tenant, key_id, route, query, doc_ids) VALUES ($1, $2, $3, $4, $5, $6)',
        [entry.at, entry.tenant, entry.keyId, entry.route, entry.query, JSON.stringify(entry.docIds)],
      );
    },
    async list(tenant, limit = 100) {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM audit_log WHERE tenant = $1 ORDER BY seq DESC LIMIT $2',
        [tenant, limit],
      );
      return rows.map(
        (row): AuditEntry => ({
          at: row.at,
          tenant: row.tenant,
          keyId: row.key_id,
          route: row.route,
          query: row.query,
          docIds: row.doc_ids,
        }),
      );
    },
    async purgeOlderThan(days, now = new Date()) {
      const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
      const { rowCount } = await pool.query('DELETE FROM audit_log WHERE at < $1', [cutoff]);
      return rowCount ?? 0;
    },
    async close() {},
  };
}
