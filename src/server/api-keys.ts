import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CairnError } from '../spec/index.ts';

/**
 * What a key may do: readers search and ask; writers also manage documents; admins also manage
 * their tenant's keys; operators also manage the keys of any tenant they name (and so create
 * tenants), while their document routes stay in their own tenant like every key's.
 */
export type Role = 'reader' | 'writer' | 'admin' | 'operator';

/** Every role, lowest first. */
export const ROLES: readonly Role[] = ['reader', 'writer', 'admin', 'operator'];

const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2, operator: 3 };

/** Tenant names are folder names too (uploads, eval runs), so nothing path-like: no `.`, `..` or `/`. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Throws `invalid_input` unless `tenant` is a plain tenant name ({@link TENANT_PATTERN}). */
export function assertTenantName(tenant: string): void {
  if (!TENANT_PATTERN.test(tenant))
    throw new CairnError(
      'invalid_input',
      `tenant "${tenant}" must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit`,
    );
}

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
  /** Active keys of one tenant, or of every tenant when none is given, oldest first. */
  list(tenant?: string): ApiKeyRecord[];
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

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Opens the key table inside the index file (or `:memory:`). */
export function openApiKeyStore(indexPath: string): ApiKeyStore {
  if (indexPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(indexPath)), { recursive: true });
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  migrateRoleCheck(db);
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
      assertTenantName(tenant);
      if (!ROLES.includes(role))
        throw new CairnError('invalid_input', `role "${role}" must be one of ${ROLES.join(', ')}`);
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
          .prepare(
            'SELECT * FROM api_keys WHERE (? IS NULL OR tenant = ?) AND revoked_at IS NULL ORDER BY created_at, rowid',
          )
          .all(tenant ?? null, tenant ?? null) as Record<string, string>[]
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
