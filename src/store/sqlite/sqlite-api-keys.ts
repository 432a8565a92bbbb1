import type Database from 'better-sqlite3';
import type { ApiKeyRecord, ApiKeyStore, Role } from '../../spec/index.ts';
import { hashApiKey, newApiKey } from '../api-key-secret.ts';
import { lazyConnection } from './lazy-connection.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('reader', 'writer', 'admin', 'operator')),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);`;

/** Tables created before the operator role refuse it in their CHECK: copy them into the new shape. */
function migrateRoleCheck(db: Database.Database): void {
  const outdated = () => {
    const table = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'")
      .get() as { sql: string } | undefined;
    return table !== undefined && !table.sql.includes("'operator'");
  };
  if (!outdated()) return;
  // Checked again under the write lock: another process may have migrated in the meantime.
  db.transaction(() => {
    if (!outdated()) return;
    db.exec('ALTER TABLE api_keys RENAME TO api_keys_before_operator');
    db.exec(SCHEMA);
    db.exec(
      `INSERT INTO api_keys (id, key_hash, tenant, role, label, created_at, revoked_at)
       SELECT id, key_hash, tenant, role, label, created_at, revoked_at FROM api_keys_before_operator`,
    );
    db.exec('DROP TABLE api_keys_before_operator');
  }).immediate();
}

const toRecord = (row: Record<string, string>): ApiKeyRecord => ({
  id: row.id as string,
  tenant: row.tenant as string,
  role: row.role as Role,
  label: row.label as string,
  createdAt: row.created_at as string,
});

/** The `api_keys` table inside the index file (or `:memory:`). */
export function openSqliteApiKeys(indexPath: string): ApiKeyStore {
  const connection = lazyConnection(indexPath, (db) => {
    migrateRoleCheck(db);
    db.exec(SCHEMA);
  });
  return {
    async create(input) {
      const { key, keyHash, record } = newApiKey(input);
      connection
        .prepare(
          'INSERT INTO api_keys (id, key_hash, tenant, role, label, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(record.id, keyHash, record.tenant, record.role, record.label, record.createdAt);
      return { key, record };
    },
    async verify(key) {
      const row = connection
        .prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL')
        .get(hashApiKey(key)) as Record<string, string> | undefined;
      return row ? toRecord(row) : undefined;
    },
    async list(tenant) {
      const rows = connection
        .prepare(
          'SELECT * FROM api_keys WHERE (? IS NULL OR tenant = ?) AND revoked_at IS NULL ORDER BY created_at, rowid',
        )
        .all(tenant ?? null, tenant ?? null) as Record<string, string>[];
      return rows.map(toRecord);
    },
    async revoke(tenant, id) {
      const { changes } = connection
        .prepare('UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND id = ? AND revoked_at IS NULL')
        .run(new Date().toISOString(), tenant, id);
      return changes > 0;
    },
    async count() {
      const row = connection.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as {
        n: number;
      };
      return row.n;
    },
    async close() {
      connection.close();
    },
  };
}
