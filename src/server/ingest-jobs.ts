import { randomUUID } from 'node:crypto';
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

/** Runs ingest jobs one at a time (one SQLite writer) and keeps their progress for polling. */
export interface IngestJobQueue {
  enqueue(tenant: string, files: string[], run: (job: IngestJob) => Promise<IngestSummary>): IngestJob;
  get(tenant: string, id: string): IngestJob | undefined;
  /** Resolves when every queued job has finished. */
  idle(): Promise<void>;
}

/** Creates an in-memory job queue. */
export function createIngestJobQueue(): IngestJobQueue {
  const jobs = new Map<string, IngestJob>();
  let tail: Promise<void> = Promise.resolve();
  return {
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
      jobs.set(job.id, job);
      tail = tail.then(async () => {
        job.status = 'running';
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
        }
      });
      return job;
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
