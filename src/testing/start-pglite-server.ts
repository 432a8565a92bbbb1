/**
 * A Postgres server for tests and benchmarks: PGlite (Postgres compiled to WASM) with pgvector,
 * served over the Postgres wire protocol on 127.0.0.1, so code under test connects with the `pg`
 * driver and a plain `postgres://` URL, exactly as it would to a real server.
 *
 * ```ts
 * const server = await startPgliteServer();
 * const store = await openPostgresStore({ connectionString: server.url, embedder });
 * // ...
 * await store.close();
 * await server.close();
 * ```
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startSerialGateway } from './pglite-serial-gateway.ts';

/** Options of {@link startPgliteServer}. */
export interface PgliteServerOptions {
  /** Load pgvector into the database (it still needs `CREATE EXTENSION vector`). @default true */
  vector?: boolean;
  /** Folder that keeps the database between runs; in memory when absent. */
  dataDir?: string;
  /** Connections served at once through the socket server's multiplexer. @default 100 */
  maxConnections?: number;
  /** @default 0 (a free port chosen by the OS) */
  port?: number;
  /**
   * Put {@link startSerialGateway} in front, so several processes can share the database with
   * each connection's statements and transactions kept whole. @default false
   */
  serialGateway?: boolean;
}

/** A running server: its connection URL and how to stop it. */
export interface PgliteServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /**
   * Refreshes the planner's statistics (ANALYZE), as autovacuum would after a bulk load on a real
   * server; PGlite runs no autovacuum, so without this the planner plans from empty statistics.
   */
  analyze(): Promise<void>;
  /** Stops accepting connections, drops the open ones and closes the database. */
  close(): Promise<void>;
}

/**
 * Starts PGlite behind a socket server with its connection multiplexer on. PGlite runs one
 * backend, so the multiplexer serialises statements across connections and keeps an open
 * transaction to the connection that began it; session settings (`SET`) are shared by every
 * connection, which is why the Postgres store only ever uses `SET LOCAL`.
 */
export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...((options.vector ?? true) ? { extensions: { vector } } : {}),
  });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const socketPort = Number(server.getServerConn().split(':').pop());
  const gateway = options.serialGateway ? await startSerialGateway(socketPort) : undefined;
  const port = gateway?.port ?? socketPort;
  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async analyze() {
      await db.exec('ANALYZE');
    },
    async close() {
      if (closed) return;
      closed = true;
      await gateway?.close();
      await server.stop();
      await db.close();
    },
  };
}
