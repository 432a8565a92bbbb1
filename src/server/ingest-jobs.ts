import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { IngestSummary } from '../engine/index.ts';

/** An upload being indexed, as the API reports it. */
export interface IngestJob {
  id: string;
  tenant: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  files: string[];
  processed: number;
  current: string | null;
  summary: Omit<IngestSummary, 'embedMs'> | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Where jobs are recorded so that unfinished ones can be resumed after a restart. */
export interface IngestJobLog {
  save(job: IngestJob): void;
  /** Jobs that were queued or running when the last process stopped. */
  unfinished(): IngestJob[];
}

/** Runs ingest jobs one at a time (one SQLite writer) and keeps their progress for polling. */
export interface IngestJobQueue {
  enqueue(tenant: string, files: string[], run: (job: IngestJob) => Promise<IngestSummary>): IngestJob;
  /** Re-runs jobs a previous process left unfinished, under their old ids. */
  resume(run: (job: IngestJob) => Promise<IngestSummary>): IngestJob[];
  get(tenant: string, id: string): IngestJob | undefined;
  /** Resolves when every queued job has finished. */
  idle(): Promise<void>;
}

/** Creates a job queue; with a log, job states survive the process. */
export function createIngestJobQueue(log?: IngestJobLog): IngestJobQueue {
  const jobs = new Map<string, IngestJob>();
  let tail: Promise<void> = Promise.resolve();
  const schedule = (job: IngestJob, run: (job: IngestJob) => Promise<IngestSummary>) => {
    jobs.set(job.id, job);
    log?.save(job);
    tail = tail.then(async () => {
      job.status = 'running';
      log?.save(job);
      try {
        const { embedMs: _embedMs, ...summary } = await run(job);
        job.summary = summary;
        job.status = 'done';
      } catch (error) {
        job.status = 'failed';
        job.error = (error as Error).message;
      } finally {
        job.current = null;
        job.finishedAt = new Date().toISOString();
        log?.save(job);
      }
    });
    return job;
  };
  return {
    resume(run) {
      return (log?.unfinished() ?? []).map((job) =>
        schedule({ ...job, status: 'queued', processed: 0, current: null }, run),
      );
    },
    enqueue(tenant, files, run) {
      const job: IngestJob = {
        id: randomUUID(),
        tenant,
        status: 'queued',
        files,
        processed: 0,
        current: null,
        summary: null,
        error: null,
        createdAt: new Date().toISOString(),
        finishedAt: null,
      };
      return schedule(job, run);
    },
    get(tenant, id) {
      const job = jobs.get(id);
      // Another tenant's job id is reported exactly like an unknown one.
      return job && job.tenant === tenant ? job : undefined;
    },
    idle() {
      return tail;
    },
  };
}

/** A job log in a table of the index file (its own connection; close it on shutdown). */
export function openIngestJobLog(indexPath: string): IngestJobLog & { close(): void } {
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS ingest_jobs (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, status TEXT NOT NULL, job TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  const upsert = db.prepare(
    `INSERT INTO ingest_jobs (id, tenant, status, job, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET status = excluded.status, job = excluded.job, updated_at = excluded.updated_at`,
  );
  return {
    close() {
      db.close();
    },
    save(job) {
      upsert.run(job.id, job.tenant, job.status, JSON.stringify(job), new Date().toISOString());
    },
    unfinished() {
      return (
        db
          .prepare(`SELECT job FROM ingest_jobs WHERE status IN ('queued', 'running') ORDER BY updated_at`)
          .all() as {
          job: string;
        }[]
      ).map((row) => JSON.parse(row.job) as IngestJob);
    },
  };
}
