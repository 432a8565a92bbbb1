import type pg from 'pg';
import type { IngestJobRecord, IngestJobStore } from '../../spec/index.ts';

const UPSERT = `INSERT INTO ingest_jobs (id, tenant, status, job, updated_at) VALUES ($1, $2, $3, $4, clock_timestamp())
  ON CONFLICT (id) DO UPDATE SET status = excluded.status, job = excluded.job, updated_at = excluded.updated_at`;

/** Ingest jobs in the `ingest_jobs` table, each kept as one JSONB record. */
export function createPgIngestJobs<Job extends IngestJobRecord = IngestJobRecord>(
  pool: pg.Pool,
): IngestJobStore<Job> {
  return {
    async save(job) {
      await pool.query(UPSERT, [job.id, job.tenant, job.status, JSON.stringify(job)]);
    },
    async get(id) {
      const { rows } = await pool.query<{ job: Job }>('SELECT job FROM ingest_jobs WHERE id = $1', [id]);
      return rows[0]?.job;
    },
    async unfinished(options = {}) {
      const { rows } = await pool.query<{ job: Job }>(
        `SELECT job FROM ingest_jobs WHERE status IN ('queued', 'running') AND ($1::text IS NULL OR tenant = $1)
         ORDER BY updated_at, seq`,
        [options.tenant ?? null],
      );
      return rows.map((row) => row.job);
    },
    async claimNext(options = {}) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // SKIP LOCKED: a concurrent claim passes over the row this one holds instead of taking it too.
        const { rows } = await client.query<{ job: Job }>(
          `SELECT job FROM ingest_jobs WHERE status = 'queued' AND ($1::text IS NULL OR tenant = $1)
           ORDER BY updated_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [options.tenant ?? null],
        );
        const job = rows[0]?.job;
        if (!job) {
          await client.query('COMMIT');
          return undefined;
        }
        const claimed: Job = { ...job, status: 'running', attempts: job.attempts + 1 };
        await client.query(UPSERT, [claimed.id, claimed.tenant, claimed.status, JSON.stringify(claimed)]);
        await client.query('COMMIT');
        return claimed;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {},
  };
}
