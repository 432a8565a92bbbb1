import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CairnError } from '../spec/index.ts';

/** What a key may do: readers search and ask; writers also manage documents; admins also manage keys. */
export type Role = 'reader' | 'writer' | 'admin';

const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2 };

/** A key's identity, never its secret. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  role: Role;
  label: string;
  createdAt: string;
}

/** API keys bound to one tenant namespace and a role; only sha256 hashes of the secrets are stored. */
export interface ApiKeyStore {
  /** Creates a key and returns its secret, which is shown once and never stored. */
  create(input: { tenant: string; role: Role; label?: string }): { key: string; record: ApiKeyRecord };
  /** The key's record, or undefined for an unknown or revoked key. */
  verify(key: string): ApiKeyRecord | undefined;
  list(tenant: string): ApiKeyRecord[];
  revoke(tenant: string, id: string): boolean;
  count(): number;
  close(): void;
}

/** True when `role` includes the rights of `required`. */
export function roleAllows(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);`;

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Opens the key table inside the index file (or `:memory:`). */
export function openApiKeyStore(indexPath: string): ApiKeyStore {
  if (indexPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(indexPath)), { recursive: true });
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const toRecord = (row: Record<string, string>): ApiKeyRecord => ({
    id: row.id as string,
    tenant: row.tenant as string,
    role: row.role as Role,
    label: row.label as string,
    createdAt: row.created_at as string,
  });
  return {
    create({ tenant, role, label }) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(tenant))
        throw new CairnError(
          'invalid_input',
          `tenant "${tenant}" must be 1-64 letters, digits, dot, dash or underscore`,
        );
      const id = randomBytes(6).toString('hex');
      // High-entropy secrets: a fast hash is enough, there is nothing to brute-force.
      const key = `cairn_${id}_${randomBytes(24).toString('base64url')}`;
      const record: ApiKeyRecord = {
        id,
        tenant,
        role,
        label: label ?? '',
        createdAt: new Date().toISOString(),
      };
      db.prepare(
        'INSERT INTO api_keys (id, key_hash, tenant, role, label, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, hashKey(key), tenant, role, record.label, record.createdAt);
      return { key, record };
    },
    verify(key) {
      const row = db
        .prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL')
        .get(hashKey(key)) as Record<string, string> | undefined;
      return row ? toRecord(row) : undefined;
    },
    list(tenant) {
      return (
        db
          .prepare('SELECT * FROM api_keys WHERE tenant = ? AND revoked_at IS NULL ORDER BY created_at')
          .all(tenant) as Record<string, string>[]
      ).map(toRecord);
    },
    revoke(tenant, id) {
      return (
        db
          .prepare('UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND id = ? AND revoked_at IS NULL')
          .run(new Date().toISOString(), tenant, id).changes > 0
      );
    },
    count() {
      return (
        db.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }
      ).n;
    },
    close() {
      db.close();
    },
  };
}
