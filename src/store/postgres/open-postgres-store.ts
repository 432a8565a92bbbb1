import pg from 'pg';
import { CairnError, EmbedderMismatchError, type Store } from '../../spec/index.ts';
import { migrate } from './migrate.ts';
import { PostgresStore } from './postgres-store.ts';
import { embeddingsTableSql, SCHEMA_VERSION } from './schema.ts';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; the database needs pgvector. */
  connectionString: string;
  /** The embedder that will write and query vectors; must match the one the store was built with. */
  embedder: { embedderId: string; dimensions: number };
  /**
   * `hnsw.ef_search` of vector queries: candidates the HNSW search keeps (pgvector's default is
   * 40); raised to k for a query of k results, capped at 1000. @default 40
   */
  efSearch?: number;
  /** Every vector query as an exact sequential scan instead of HNSW (for evaluation). @default false */
  exact?: boolean;
}

/** The URL without its password, for messages and reports. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return connectionString.replace(/:[^:@/]*@/, ':***@');
  }
}

/** True for the URLs this store opens. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * Opens (or creates) a cairn store in a Postgres database with pgvector: creates the extension
 * when it may, applies missing schema migrations, records the embedder, and creates the vector
 * table with its HNSW index once the dimension is known. Fails with a message naming the URL
 * when the server is unreachable, when pgvector is missing, and (`embedder_mismatch`, as the
 * SQLite store) when the store was built with another embedder.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const label = redactConnectionString(options.connectionString);
  if (!isPostgresUrl(options.connectionString)) {
    throw new CairnError('invalid_option', `${label} is not a postgres:// URL`);
  }
  const efSearch = options.efSearch ?? 40;
  if (!Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000) {
    throw new CairnError('invalid_option', `efSearch must be an integer from 1 to 1000, got ${efSearch}`);
  }
  const pool = new pg.Pool({ connectionString: options.connectionString, connectionTimeoutMillis: 10_000 });
  // An idle connection that breaks (server restart) surfaces as the next query's error instead.
  pool.on('error', () => undefined);
  try {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (cause) {
      throw new CairnError(
        'invalid_input',
        `cannot connect to Postgres at ${label}: ${describe(cause)}. Check that the server is running and ` +
          'that host, port, database, user and password in the URL are right.',
        { cause },
      );
    }
    try {
      const vectorVersion = await ensureVector(client, label);
      await migrate(client, label);
      const info = await recordEmbedder(client, label, options.embedder);
      return new PostgresStore(pool, info, {
        label,
        efSearch,
        exact: options.exact ?? false,
        iterativeScan: atLeast(vectorVersion, [0, 8]),
      });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

function describe(cause: unknown): string {
  const error = cause as { message?: string; code?: string; errors?: { message: string }[] };
  // A refused connection to "localhost" is an AggregateError (IPv4 and IPv6) with an empty message.
  const message = error.message || error.errors?.map((inner) => inner.message).join('; ') || error.code;
  return message ?? String(cause);
}

/** The installed pgvector version, creating the extension first when it is available but not created. */
async function ensureVector(client: pg.PoolClient, label: string): Promise<string> {
  const installed = async () =>
    (
      await client.query<{ extversion: string }>(
        `SELECT extversion FROM pg_extension WHERE extname = 'vector'`,
      )
    ).rows[0]?.extversion;
  const version = await installed();
  if (version !== undefined) return version;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (cause) {
    throw new CairnError(
      'invalid_input',
      `${label} has no pgvector extension (${describe(cause)}). Install pgvector 0.8 or newer on the ` +
        'Postgres server, then run "CREATE EXTENSION vector;" in this database as a user allowed to ' +
        '(the database owner or a superuser), and open the store again.',
      { cause },
    );
  }
  return (await installed()) ?? '0';
}

function atLeast(version: string, minimum: [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

/**
 * Records the embedder on first open (the first writer wins when nodes open at once) and refuses
 * another one later, as the SQLite store does.
 */
async function recordEmbedder(
  client: pg.PoolClient,
  label: string,
  wanted: { embedderId: string; dimensions: number },
): Promise<Store['info']> {
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO cairn_meta (key, value) VALUES ('embedder_id', $1), ('dimensions', $2), ('created_at', $3)
       ON CONFLICT (key) DO NOTHING`,
      [wanted.embedderId, String(wanted.dimensions), new Date().toISOString()],
    );
    const { rows } = await client.query<{ key: string; value: string }>(
      `SELECT key, value FROM cairn_meta WHERE key IN ('embedder_id', 'dimensions', 'created_at')`,
    );
    const meta = new Map(rows.map((row) => [row.key, row.value]));
    const recorded = {
      embedderId: meta.get('embedder_id') ?? '',
      dimensions: Number(meta.get('dimensions')),
    };
    if (recorded.embedderId !== wanted.embedderId || recorded.dimensions !== wanted.dimensions) {
      throw new EmbedderMismatchError(label, recorded, wanted);
    }
    await client.query(embeddingsTableSql(wanted.dimensions));
    await client.query('COMMIT');
    return {
      embedderId: wanted.embedderId,
      dimensions: wanted.dimensions,
      schemaVersion: SCHEMA_VERSION,
      createdAt: meta.get('created_at') ?? new Date().toISOString(),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
