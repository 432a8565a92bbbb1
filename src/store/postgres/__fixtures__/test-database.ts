import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the Postgres tests use: the machine's PostgreSQL 15, or `CAIRN_TEST_POSTGRES_URL`. */
export const TEST_SERVER_URL =
  process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database for one test file, or the reason the tests must be skipped. */
export interface TestDatabase {
  url: string;
  /** Set when the server is unreachable or refuses to create the database; names the URL. */
  skip: string | undefined;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

/** Creates `cairn_test_<random>` on the test server; call `drop()` after the file's tests. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const url = Object.assign(new URL(TEST_SERVER_URL), { pathname: `/${name}` }).toString();
  const admin = () => new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 3000 });
  let skip: string | undefined;
  const client = admin();
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    skip = `PostgreSQL at ${TEST_SERVER_URL} is unreachable or refused CREATE DATABASE (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
  return {
    url,
    skip,
    async drop() {
      if (skip) return;
      const dropper = admin();
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
