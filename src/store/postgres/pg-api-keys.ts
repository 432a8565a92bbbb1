import type pg from 'pg';
import type { ApiKeyRecord, ApiKeyStore, Role } from '../../spec/index.ts';
import { hashApiKey, newApiKey } from '../api-key-secret.ts';

type Row = { id: string; tenant: string; role: Role; label: string; created_at: string };

const toRecord = (row: Row): ApiKeyRecord => ({
  id: row.id,
  tenant: row.tenant,
  role: row.role,
  label: row.label,
  createdAt: row.created_at,
});

/** API keys in the `api_keys` table; only sha256 hashes of the secrets are stored. */
export function createPgApiKeys(pool: pg.Pool): ApiKeyStore {
  return {
    async create(input) {
      const { key, keyHash, record } = newApiKey(input);
      await pool.query(
        'INSERT INTO api_keys (id, key_hash, tenant, role, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [record.id, keyHash, record.tenant, record.role, record.label, record.createdAt],
      );
      return { key, record };
    },
    async verify(key) {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        [hashApiKey(key)],
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(tenant) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM api_keys WHERE ($1::text IS NULL OR tenant = $1) AND revoked_at IS NULL
         ORDER BY created_at, seq`,
        [tenant ?? null],
      );
      return rows.map(toRecord);
    },
    async revoke(tenant, id) {
      const { rowCount } = await pool.query(
        'UPDATE api_keys SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL',
        [new Date().toISOString(), tenant, id],
      );
      return (rowCount ?? 0) > 0;
    },
    async count() {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL',
      );
      return Number(rows[0]?.n ?? 0);
    },
    async close() {},
  };
}
