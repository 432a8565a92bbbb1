import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_INGEST } from '../config/index.ts';
import type { IngestProgress, IngestSummary } from '../engine/index.ts';
import { formatForPath } from '../ingest/index.ts';

/** An upload being indexed, as the API reports it. */
export interface IngestJob {
  id: string;
  tenant: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  files: string[];
  processed: number;
  /** The file being processed, while the job runs. */
  current: string | null;
  /** Times the job was started; every start but a finished one ended with the process. */
  attempts: number;
  summary: Omit<IngestSummary, 'embedMs'> | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Records a running job's progress; the queue keeps it in the job and in the log. */
export type ReportProgress = (progress: { processed: number; current: string | null }) => void;

/** Does a job's work; `report` records progress as it goes. */
export type RunIngestJob = (job: IngestJob, report: ReportProgress) => Promise<IngestSummary>;

/** Where jobs are recorded so that unfinished ones can be resumed after a restart. */
export interface IngestJobLog {
  save(job: IngestJob): void;
  /** Jobs that were queued or running when the last process stopped, oldest update first. */
  unfinished(): IngestJob[];
  /** Any recorded job, finished or not. */
  get(id: string): IngestJob | undefined;
}

/** Options of {@link createIngestJobQueue}. */
export interface IngestJobQueueOptions {
  /**
   * Tenants whose jobs run at the same time (each tenant's own jobs always run one at a time);
   * 1 runs every job one after another. @default 4
   */
  maxConcurrentTenants?: number;
  /**
   * Starts a job gets before, having been cut off by the end of the process every time, it is
   * marked failed instead of resumed. @default 3
   */
  maxAttempts?: number;
  /** Called when a job is given up; returns a sentence to add to its error, if any. */
  onGiveUp?: (job: IngestJob) => string | undefined;
}

/**
 * Runs ingest jobs and keeps their progress for polling. Tenants take turns: each tenant's jobs
 * run one at a time, in order, and up to `maxConcurrentTenants` tenants run a job at once, so a
 * large upload does not hold up other tenants' small ones.
 */
export interface IngestJobQueue {
  enqueue(tenant: string, files: string[], run: RunIngestJob): IngestJob;
  /**
   * Re-runs jobs a previous process left unfinished, under their old ids. Jobs that were running
   * when it stopped run first and alone, so a crash is pinned on the job that causes it; one
   * that has used up its attempts is marked failed instead. Returns the jobs re-queued.
   */
  resume(run: RunIngestJob): IngestJob[];
  get(tenant: string, id: string): IngestJob | undefined;
  /** Resolves when every queued job has finished. */
  idle(): Promise<void>;
}

interface Queued {
  job: IngestJob;
  run: RunIngestJob;
}

/** Creates a job queue; with a log, job states survive the process. */
export function createIngestJobQueue(
  log?: IngestJobLog,
  options: IngestJobQueueOptions = {},
): IngestJobQueue {
  const maxConcurrentTenants = Math.max(
    1,
    options.maxConcurrentTenants ?? DEFAULT_INGEST.maxConcurrentTenants,
  );
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_INGEST.maxAttempts);
  const jobs = new Map<string, IngestJob>();
  const waiting = new Map<string, Queued[]>();
  // Tenants with a job waiting and none running, in the order they get their next turn.
  const turns: string[] = [];
  const running = new Set<string>();
  // Jobs cut off by the last crash: they run before anything else, one at a time.
  const suspects: Queued[] = [];
  let suspectRunning = false;
  const active = new Set<Promise<void>>();

  const start = (queued: Queued, solo: boolean) => {
    const { job, run } = queued;
    running.add(job.tenant);
    suspectRunning ||= solo;
    const done = (async () => {
      await Promise.resolve();
      job.status = 'running';
      job.processed = 0;
      job.attempts += 1;
      // Saved before the work starts: if the process dies during it, the next start counts it.
      log?.save(job);
      try {
        const { embedMs: _embedMs, ...summary } = await run(job, (progress) => {
          job.processed = progress.processed;
          if (progress.current === job.current) return;
          job.current = progress.current;
          log?.save(job);
        });
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
    })().finally(() => {
      active.delete(done);
      running.delete(job.tenant);
      if (solo) suspectRunning = false;
      if (waiting.has(job.tenant) && !turns.includes(job.tenant)) turns.push(job.tenant);
      pump();
    });
    active.add(done);
  };

  const pump = () => {
    if (suspectRunning) return;
    if (suspects.length > 0) {
      if (running.size === 0) start(suspects.shift() as Queued, true);
      return;
    }
    while (running.size < maxConcurrentTenants && turns.length > 0) {
      const tenant = turns.shift() as string;
      const line = waiting.get(tenant);
      // Stale turns (the tenant started meanwhile) are dropped; its next turn comes when it ends.
      if (!line || running.has(tenant)) continue;
      const next = line.shift() as Queued;
      if (line.length === 0) waiting.delete(tenant);
      start(next, false);
    }
  };

  const schedule = (job: IngestJob, run: RunIngestJob) => {
    jobs.set(job.id, job);
    log?.save(job);
    const line = waiting.get(job.tenant);
    if (line) line.push({ job, run });
    else {
      waiting.set(job.tenant, [{ job, run }]);
      if (!running.has(job.tenant)) turns.push(job.tenant);
    }
    pump();
    return job;
  };

  return {
    resume(run) {
      const resumed: IngestJob[] = [];
      for (const stored of log?.unfinished() ?? []) {
        // A job logged as running never finished its last start: the process ended under it.
        const cutOff = stored.status === 'running';
        const attempts = Math.max(stored.attempts ?? 0, cutOff ? 1 : 0);
        if (attempts >= maxAttempts) {
          const job: IngestJob = {
            ...stored,
            attempts,
            status: 'failed',
            error: crashReason(attempts, stored.current),
            finishedAt: new Date().toISOString(),
          };
          const note = options.onGiveUp?.(job);
          if (note) job.error = `${job.error} ${note}`;
          job.current = null;
          jobs.set(job.id, job);
          log?.save(job);
          continue;
        }
        const job: IngestJob = { ...stored, attempts, status: 'queued', processed: 0 };
        resumed.push(job);
        if (cutOff) {
          jobs.set(job.id, job);
          log?.save(job);
          suspects.push({ job, run });
        } else schedule(job, run);
      }
      pump();
      return resumed;
    },
    enqueue(tenant, files, run) {
      const job: IngestJob = {
        id: randomUUID(),
        tenant,
        status: 'queued',
        files,
        processed: 0,
        current: null,
        attempts: 0,
        summary: null,
        error: null,
        createdAt: new Date().toISOString(),
        finishedAt: null,
      };
      return schedule(job, run);
    },
    get(tenant, id) {
      const job = jobs.get(id) ?? log?.get(id);
      // Another tenant's job id is reported exactly like an unknown one.
      return job && job.tenant === tenant ? job : undefined;
    },
    async idle() {
      while (active.size > 0) await Promise.all(active);
    },
  };
}

/**
 * Turns an ingest run's progress over a tenant's upload folder into `current`: the first file,
 * in the order the loader walks them, that the run has not finished yet. Reports the first file
 * at once, so a run that dies before any progress still names where it was.
 */
export function trackUploadFolder(dir: string, report: ReportProgress): (progress: IngestProgress) => void {
  const files = listUploads(dir);
  const finished = new Set<string>();
  let next = 0;
  report({ processed: 0, current: files[0] ?? null });
  return (progress) => {
    finished.add(progress.current);
    while (next < files.length && finished.has(files[next] as string)) next += 1;
    report({ processed: progress.processed, current: files[next] ?? progress.current });
  };
}

/**
 * Moves an uploaded file that kept crashing the server into the folder's hidden `.crashed/`
 * (which the loader passes over), so the tenant's next upload does not ingest it again.
 * Returns a sentence for the job's error, or undefined when there was nothing to move.
 */
export function setAsideUpload(dir: string, name: string | null): string | undefined {
  if (!name || path.basename(name) !== name || name.startsWith('.')) return undefined;
  const from = path.join(dir, name);
  if (!fs.existsSync(from)) return undefined;
  const aside = path.join(dir, '.crashed');
  fs.mkdirSync(aside, { recursive: true });
  fs.renameSync(from, path.join(aside, name));
  return `"${name}" was moved out of the upload folder; upload it again to retry it.`;
}

/** Loadable files directly in an upload folder, sorted as the loader walks them. */
function listUploads(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter(
      (entry) => entry.isFile() && !entry.name.startsWith('.') && formatForPath(entry.name) !== undefined,
    )
    .map((entry) => entry.name)
    .sort();
}

function crashReason(attempts: number, current: string | null): string {
  const where = current ? ` while processing "${current}"` : '';
  return `the server stopped ${attempts} times${where} before this job could finish; it is not retried`;
}

/** A job log in a table of the index file (its own connection; close it on shutdown). */
export function openIngestJobLog(indexPath: string): IngestJobLog & { close(): void } {
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  // Progress is saved as it goes: without a sync per commit each save is cheap, and a process
  // crash (what the log is for) loses nothing; the store sets the file to WAL anyway.
  if (indexPath !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
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
    get(id) {
      const row = db.prepare('SELECT job FROM ingest_jobs WHERE id = ?').get(id) as
        | { job: string }
        | undefined;
      return row ? (JSON.parse(row.job) as IngestJob) : undefined;
    },
    unfinished() {
      return (
        db
          .prepare(
            `SELECT job FROM ingest_jobs WHERE status IN ('queued', 'running') ORDER BY updated_at, rowid`,
          )
          .all() as {
          job: string;
        }[]
      ).map((row) => JSON.parse(row.job) as IngestJob);
    },
  };
}
