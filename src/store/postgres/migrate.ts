import type pg from 'pg';
import { CairnError } from '../../spec/index.ts';
import { MIGRATIONS, type Migration } from './schema.ts';

/** Any number, the same in every cairn process: serialises schema changes across nodes. */
const MIGRATION_LOCK = 7_246_001;

/**
 * Brings the schema up to `target` (default: the latest): each missing migration runs in its own
 * transaction with its row in `cairn_schema_migrations`, under an advisory lock so nodes starting
 * together migrate once. A database newer than this code is refused rather than guessed at.
 * Returns the versions applied now.
 */
export async function migrate(
  client: pg.PoolClient,
  label: string,
  target: number = MIGRATIONS.length,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS cairn_schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM cairn_schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...done);
    if (newest > migrations.length) {
      throw new CairnError(
        'invalid_input',
        `${label} has cairn schema version ${newest}; this cairn knows versions up to ${migrations.length}. Upgrade cairn.`,
      );
    }
    for (const migration of migrations) {
      if (migration.version > target || done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO cairn_schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new CairnError(
          'internal',
          `${label}: schema migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      applied.push(migration.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
  return applied;
}

/** The schema versions recorded in the database, ascending. */
export async function appliedVersions(client: pg.PoolClient | pg.Pool): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>(
    'SELECT version FROM cairn_schema_migrations ORDER BY version',
  );
  return rows.map((row) => row.version);
}
