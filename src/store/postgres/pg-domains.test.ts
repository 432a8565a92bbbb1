import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import { runDomainConformance } from '../conformance/run-domain-conformance.ts';
import { openPostgresDomains } from './open-postgres-domains.ts';

// The machine's PostgreSQL 15; CAIRN_TEST_POSTGRES_URL points elsewhere.
const SERVER_URL = process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `cairn_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
})();

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${database}`);
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${SERVER_URL} is unreachable or refused CREATE DATABASE (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

const skip = await reachable();

before(async () => {
  if (skip) return;
  // Migrations once, so the tests measure the domains, not the migrator.
  await (await openPostgresDomains(databaseUrl)).close();
});

after(async () => {
  if (skip) return;
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await client.end();
});

runDomainConformance({
  name: 'postgres',
  open: () => openPostgresDomains(databaseUrl, { max: 4 }),
  cleanup: async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      'TRUNCATE traces, api_keys, audit_log, ingest_jobs, answer_cache, usage_ledger, eval_runs, index_settings, index_meta',
    );
    await client.end();
  },
  skip,
});
