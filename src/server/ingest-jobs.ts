import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { DEFAULT_INGEST } from '../config/index.ts';
import type { IngestProgress, IngestSummary } from '../engine/index.ts';
import { formatForPath } from '../ingest/index.ts';
import type { IngestJobRecord, IngestJobStore } from '../spec/index.ts';

/** An upload being indexed, as the API reports it. */
export type IngestJob = IngestJobRecord<Omit<IngestSummary, 'embedMs'>>;

/** Records a running job's progress; the queue keeps it in the job and in the log. */
export type ReportProgress = (progress: { processed: number; current: string | null }) => void;

/** Does a job's work; `report` records progress as it goes. */
export type RunIngestJob = (job: IngestJob, report: ReportProgress) => Promise<IngestSummary>;

/** What the queue needs of the job store: jobs are recorded so unfinished ones resume after a restart. */
export type IngestJobLog = Pick<IngestJobStore<IngestJob>, 'save' | 'get' | 'unfinished'>;

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
  onGiveUp?: (job: IngestJob) => Promise<string | undefined> | string | undefined;
  /** Called when recording a job fails (the job itself goes on). @default a line on stderr */
  onLogError?: (error: unknown, job: IngestJob) => void;
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
   * that has used up its attempts is marked failed instead. Nothing starts until it has read the
   * log, so jobs enqueued meanwhile wait behind the cut-off ones. Returns the jobs re-queued.
   */
  resume(run: RunIngestJob): Promise<IngestJob[]>;
  get(tenant: string, id: string): Promise<IngestJob | undefined>;
  /** Resolves when every queued job has finished and been recorded. */
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
  let resuming: Promise<unknown> | undefined;
  const onLogError =
    options.onLogError ??
    ((error: unknown, job: IngestJob) =>
      process.stderr.write(`cairn: could not record ingest job ${job.id}: ${(error as Error).message}\n`));
  const save = serialSave(log ?? { save: async () => {} }, onLogError);

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
      await save(job);
      await runRecordedJob(job, run, save);
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
    if (suspectRunning || resuming) return;
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
    void save(job);
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
    async resume(run) {
      const resumed: IngestJob[] = [];
      const reading = log?.unfinished() ?? Promise.resolve([]);
      resuming = reading;
      let unfinished: IngestJob[];
      try {
        unfinished = await reading;
      } finally {
        resuming = undefined;
      }
      for (const stored of unfinished) {
        // A job logged as running never finished its last start: the process ended under it.
        const cutOff = stored.status === 'running';
        const attempts = Math.max(stored.attempts ?? 0, cutOff ? 1 : 0);
        if (attempts >= maxAttempts) {
          const job = await givenUp({ ...stored, attempts }, options.onGiveUp);
          jobs.set(job.id, job);
          void save(job);
          continue;
        }
        const job: IngestJob = { ...stored, attempts, status: 'queued', processed: 0 };
        resumed.push(job);
        if (cutOff) {
          jobs.set(job.id, job);
          void save(job);
          suspects.push({ job, run });
        } else schedule(job, run);
      }
      pump();
      return resumed;
    },
    enqueue(tenant, files, run) {
      return schedule(newIngestJob(tenant, files), run);
    },
    async get(tenant, id) {
      const job = jobs.get(id) ?? (await log?.get(id));
      // Another tenant's job id is reported exactly like an unknown one.
      return job && job.tenant === tenant ? job : undefined;
    },
    async idle() {
      await resuming?.catch(() => {});
      while (active.size > 0) await Promise.all(active);
      await save.settled();
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

/** Saves job states one after another, so a log never records an older state last. */
export type SerialSave = ((job: IngestJob) => Promise<void>) & { settled: () => Promise<void> };

/**
 * Job saves one after another, each of a snapshot taken when asked, so the log never records an
 * older state last; a failed save is reported and the next goes on.
 */
export function serialSave(
  log: Pick<IngestJobLog, 'save'>,
  onError: (error: unknown, job: IngestJob) => void,
): SerialSave {
  let writes: Promise<void> = Promise.resolve();
  const save = (job: IngestJob) => {
    const snapshot: IngestJob = structuredClone(job);
    writes = writes.then(() => log.save(snapshot)).catch((error) => onError(error, snapshot));
    return writes;
  };
  return Object.assign(save, { settled: () => writes });
}

/** A new job for files a tenant just uploaded, queued. */
export function newIngestJob(tenant: string, files: string[]): IngestJob {
  return {
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
}

/**
 * Runs a job already recorded as running, recording its progress as it goes and its end (done
 * with the summary, or failed with the error) through `save`; never throws for the job's failure.
 */
export async function runRecordedJob(
  job: IngestJob,
  run: RunIngestJob,
  save: (job: IngestJob) => Promise<void>,
): Promise<void> {
  try {
    const { embedMs: _embedMs, ...summary } = await run(job, (progress) => {
      job.processed = progress.processed;
      if (progress.current === job.current) return;
      job.current = progress.current;
      void save(job);
    });
    job.summary = summary;
    job.status = 'done';
  } catch (error) {
    job.status = 'failed';
    job.error = (error as Error).message;
  } finally {
    job.current = null;
    job.finishedAt = new Date().toISOString();
    await save(job);
  }
}

/**
 * A job cut off `attempts` times, marked failed: the error names the file it was on, plus what
 * `onGiveUp` (setting that file aside) adds.
 */
export async function givenUp(
  job: IngestJob,
  onGiveUp?: (job: IngestJob) => Promise<string | undefined> | string | undefined,
): Promise<IngestJob> {
  const failed: IngestJob = {
    ...job,
    status: 'failed',
    error: crashReason(job.attempts, job.current),
    finishedAt: new Date().toISOString(),
  };
  const note = await onGiveUp?.(failed);
  if (note) failed.error = `${failed.error} ${note}`;
  failed.current = null;
  return failed;
}

/** The error of a job given up after its process stopped under it `attempts` times. */
function crashReason(attempts: number, current: string | null): string {
  const where = current ? ` while processing "${current}"` : '';
  return `the process running it stopped ${attempts} times${where} before this job could finish; it is not retried`;
}
