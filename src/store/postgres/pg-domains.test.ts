import { after, before } from 'node:test';
import pg from 'pg';
import { runDomainConformance } from '../conformance/run-domain-conformance.ts';
import { createTestDatabase } from './__fixtures__/test-database.ts';
import { openPostgresDomains } from './open-postgres-domains.ts';

const database = await createTestDatabase();

before(async () => {
  if (database.skip) return;
  // Migrations once, so the tests measure the domains, not the migrator.
  await (await openPostgresDomains(database.url)).close();
});
after(() => database.drop());

runDomainConformance({
  name: 'postgres',
  open: () => openPostgresDomains(database.url, { max: 4 }),
  cleanup: async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      'TRUNCATE traces, api_keys, audit_log, ingest_jobs, answer_cache, usage_ledger, eval_runs, index_settings, index_meta, uploads, feedback',
    );
    await client.end();
  },
  skip: database.skip,
});
