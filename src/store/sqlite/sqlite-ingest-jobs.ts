import type { IngestJobRecord, IngestJobStore } from '../../spec/index.ts';
import { lazyConnection } from './lazy-connection.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS ingest_jobs (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, status TEXT NOT NULL, job TEXT NOT NULL, updated_at TEXT NOT NULL)`;

/** The `ingest_jobs` table of the index file (its own connection); each job is kept as one JSON record. */
export function openSqliteIngestJobs<Job extends IngestJobRecord = IngestJobRecord>(
  indexPath: string,
): IngestJobStore<Job> {
  const connection = lazyConnection(
    indexPath,
    (db) => {
      // Progress is saved as it goes: without a sync per commit each save is cheap, and a process
      // crash (what the log is for) loses nothing; the store sets the file to WAL anyway.
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
    },
    { wal: true },
  );
  const save = (job: Job) =>
    connection
      .prepare(
        `INSERT INTO ingest_jobs (id, tenant, status, job, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, job = excluded.job, updated_at = excluded.updated_at`,
      )
      .run(job.id, job.tenant, job.status, JSON.stringify(job), new Date().toISOString());
  return {
    async save(job) {
      save(job);
    },
    async get(id) {
      const row = connection.prepare('SELECT job FROM ingest_jobs WHERE id = ?').get(id) as
        | { job: string }
        | undefined;
      return row ? (JSON.parse(row.job) as Job) : undefined;
    },
    async unfinished(options = {}) {
      const rows = connection
        .prepare(
          `SELECT job FROM ingest_jobs WHERE status IN ('queued', 'running') AND (? IS NULL OR tenant = ?)
           ORDER BY updated_at, rowid`,
        )
        .all(options.tenant ?? null, options.tenant ?? null) as { job: string }[];
      return rows.map((row) => JSON.parse(row.job) as Job);
    },
    async claimNext(options = {}) {
      const { db } = connection;
      // IMMEDIATE takes the write lock before reading, so another process cannot claim in between.
      return db
        .transaction(() => {
          const row = db
            .prepare(
              `SELECT job FROM ingest_jobs WHERE status = 'queued' AND (? IS NULL OR tenant = ?)
               ORDER BY updated_at, rowid LIMIT 1`,
            )
            .get(options.tenant ?? null, options.tenant ?? null) as { job: string } | undefined;
          if (!row) return undefined;
          const job = JSON.parse(row.job) as Job;
          const claimed: Job = { ...job, status: 'running', attempts: job.attempts + 1 };
          save(claimed);
          return claimed;
        })
        .immediate();
    },
    async close() {
      connection.close();
    },
  };
}
