import type pg from 'pg';

/** One schema change; `version` is prefixed by its domain so lists of other domains never clash. */
export interface Migration {
  version: string;
  sql: string;
}

/** The non-vector domains' tables, oldest first. Append new versions; never edit an applied one. */
export const DOMAIN_MIGRATIONS: readonly Migration[] = [
  {
    version: 'traces-001',
    sql: `CREATE TABLE traces (
      namespace TEXT NOT NULL, trace_id TEXT NOT NULL, started_at TEXT NOT NULL,
      duration_ms DOUBLE PRECISION NOT NULL, label TEXT NOT NULL, spans JSONB NOT NULL,
      PRIMARY KEY (namespace, trace_id));
      CREATE INDEX traces_by_time ON traces (namespace, started_at);`,
  },
  {
    version: 'api-keys-001',
    sql: `CREATE TABLE api_keys (
      seq BIGSERIAL UNIQUE, id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('reader', 'writer', 'admin', 'operator')),
      label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);`,
  },
  {
    version: 'audit-001',
    sql: `CREATE TABLE audit_log (
      seq BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, tenant TEXT NOT NULL, key_id TEXT NOT NULL,
      route TEXT NOT NULL, query TEXT NOT NULL, doc_ids JSONB NOT NULL);
      CREATE INDEX audit_log_tenant ON audit_log (tenant, seq);`,
  },
  {
    version: 'ingest-jobs-001',
    sql: `CREATE TABLE ingest_jobs (
      seq BIGSERIAL UNIQUE, id TEXT PRIMARY KEY, tenant TEXT NOT NULL, status TEXT NOT NULL,
      job JSONB NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
      CREATE INDEX ingest_jobs_by_status ON ingest_jobs (status, updated_at, seq);`,
  },
  {
    version: 'answer-cache-001',
    sql: `CREATE TABLE answer_cache (
      id TEXT PRIMARY KEY, namespace TEXT NOT NULL, fingerprint TEXT NOT NULL, question_key TEXT NOT NULL,
      question TEXT NOT NULL, embedding BYTEA, value JSONB NOT NULL, cited JSONB NOT NULL,
      created_at BIGINT NOT NULL);
      CREATE INDEX answer_cache_exact ON answer_cache (namespace, fingerprint, question_key);
      CREATE INDEX answer_cache_age ON answer_cache (namespace, created_at);`,
  },
  {
    version: 'usage-001',
    sql: `CREATE TABLE usage_ledger (
      day TEXT NOT NULL, tenant TEXT NOT NULL, model TEXT NOT NULL, requests BIGINT NOT NULL,
      cached BIGINT NOT NULL, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,
      cost_usd DOUBLE PRECISION NOT NULL, PRIMARY KEY (day, tenant, model));`,
  },
  {
    version: 'eval-runs-001',
    sql: `CREATE TABLE eval_runs (
      run_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TEXT NOT NULL, run JSONB NOT NULL);
      CREATE INDEX eval_runs_by_tenant ON eval_runs (tenant, created_at);`,
  },
  {
    version: 'settings-001',
    sql: `CREATE TABLE index_settings (
      namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key));
      CREATE TABLE index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 'uploads-001',
    sql: `CREATE TABLE uploads (
      tenant TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL,
      bytes BYTEA NOT NULL, set_aside BOOLEAN NOT NULL DEFAULT false, uploaded_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (tenant, name));`,
  },
  {
    version: 'feedback-001',
    sql: `CREATE TABLE feedback (
      namespace TEXT NOT NULL, trace_id TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
      comment TEXT, key_id TEXT, created_at TEXT NOT NULL, PRIMARY KEY (namespace, trace_id));
      CREATE INDEX feedback_by_time ON feedback (namespace, created_at);`,
  },
];

// Any constant both migrators agree on: it serialises processes migrating the same database.
const MIGRATION_LOCK = 0x6361_6972;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction,
 * under an advisory lock so that two processes starting at once do not both apply one.
 * Returns the versions applied.
 */
export async function migrateDomains(
  pool: pg.Pool,
  migrations: readonly Migration[] = DOMAIN_MIGRATIONS,
): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map(
        (row) => row.version,
      ),
    );
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
  return applied;
}
