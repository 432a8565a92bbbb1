import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from './__fixtures__/test-database.ts';
import { DOMAIN_MIGRATIONS, migrateDomains } from './pg-migrations-domains.ts';

// On the machine's real PostgreSQL 15: a database at the previous schema version (every
// migration but the newest two) keeps its rows when the newest are applied on top.
const database = await createTestDatabase();
after(() => database.drop());
const options = database.skip ? { skip: database.skip } : {};

test(
  'domain migrations: from the previous version, data kept; again, nothing; concurrently, once',
  options,
  async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    try {
      const previous = DOMAIN_MIGRATIONS.slice(0, -2);
      assert.deepEqual(
        await migrateDomains(pool, previous),
        previous.map((migration) => migration.version),
      );
      await pool.query(
        `INSERT INTO ingest_jobs (id, tenant, status, job, updated_at) VALUES ('j1', 'acme', 'queued', '{"id":"j1"}', now())`,
      );
      const [applied, concurrent] = await Promise.all([migrateDomains(pool), migrateDomains(pool)]);
      assert.deepEqual(
        [...(applied ?? []), ...(concurrent ?? [])].sort(),
        DOMAIN_MIGRATIONS.slice(-2)
          .map((migration) => migration.version)
          .sort(),
        'each new version applied by exactly one of the two',
      );
      assert.deepEqual(await migrateDomains(pool), []);
      const { rows } = await pool.query('SELECT id FROM ingest_jobs');
      assert.deepEqual(rows, [{ id: 'j1' }]);
      // The new tables exist and work.
      await pool.query(
        `INSERT INTO uploads (tenant, name, sha256, size, bytes, uploaded_at) VALUES ('acme', 'a.md', 'x', 1, '\\x41', now())`,
      );
      await pool.query(
        `INSERT INTO feedback (namespace, trace_id, rating, created_at) VALUES ('acme', 't1', 'up', '2026-12-03')`,
      );
    } finally {
      await pool.end();
    }
  },
);
