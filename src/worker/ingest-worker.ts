import { Worker } from 'bullmq';
import { DEFAULT_INGEST } from '../config/index.ts';
import {
  givenUp,
  type IngestJob,
  type RunIngestJob,
  runRecordedJob,
  serialSave,
} from '../server/ingest-jobs.ts';
import type { IngestJobStore } from '../spec/index.ts';
import { type IngestNotifier, openIngestNotifier } from './ingest-notifier.ts';
import { connectQueueRedis, INGEST_QUEUE, QUEUE_PREFIX, type TenantTurn } from './ingest-queue.ts';

/** Options of {@link startIngestWorker}. */
export interface IngestWorkerOptions {
  redisUrl: string;
  /** Prefix of the queue's Redis keys; API nodes and workers must agree. @default 'cairn:queue' */
  prefix?: string;
  /** Where jobs are recorded; every API node and worker shares it (Postgres). */
  jobs: IngestJobStore<IngestJob>;
  run: RunIngestJob;
  /** Tenants this worker runs a job for at once. @default 4 */
  concurrency?: number;
  /** Starts a job gets before, cut off by its worker's end every time, it is marked failed. @default 3 */
  maxAttempts?: number;
  /** Called when a job is given up; returns a sentence to add to its error. */
  onGiveUp?: (job: IngestJob) => Promise<string | undefined>;
  /** How long a hold on a turn lasts unless renewed. @default 30 000 */
  lockMs?: number;
  /** How often queued jobs with no turn in the queue are given one. @default 5 000, at most `lockMs` */
  sweepMs?: number;
  /** One line per job started, finished or given up, and per queue trouble. */
  log?: (line: string) => void;
}

/** A running worker; `close` lets the jobs in hand finish first. */
export interface IngestWorker {
  close(): Promise<void>;
}

/**
 * Takes tenants' turns from the queue and runs their upload jobs from the job store, one job per
 * turn, so tenants alternate. Delivery is at least once: a worker killed mid-job stops renewing
 * its hold, BullMQ hands the turn to another worker, and that worker finds the job still marked
 * running and runs it again (idempotent: documents are skipped by content hash and each is
 * written in one transaction). A job cut off `maxAttempts` times is marked failed instead.
 * The job store is the truth, the queue only a signal: a sweep gives a turn to every tenant with
 * jobs waiting, so a lost queue entry (or a flushed Redis) delays a job but never loses it.
 */
export async function startIngestWorker(options: IngestWorkerOptions): Promise<IngestWorker> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_INGEST.maxAttempts;
  const lockMs = options.lockMs ?? DEFAULT_INGEST.workerLockMs;
  const log = options.log ?? (() => {});
  const save = serialSave(options.jobs, (error, job) =>
    log(`could not record ingest job ${job.id}: ${(error as Error).message}`),
  );
  const notifier: IngestNotifier = await openIngestNotifier(options.redisUrl, options.prefix);
  const connection = await connectQueueRedis(options.redisUrl, 'the ingest worker');

  const takeTurn = async (tenant: string): Promise<void> => {
    let job: IngestJob | undefined;
    // A tenant has one turn at a time, so a job of it still marked running lost its worker.
    const cutOff = (await options.jobs.unfinished({ tenant })).find((one) => one.status === 'running');
    if (cutOff && cutOff.attempts >= maxAttempts) {
      const failed = await givenUp(cutOff, options.onGiveUp);
      await save(failed);
      log(`ingest job ${failed.id} (${tenant}) given up: ${failed.error}`);
    } else if (cutOff) {
      job = { ...cutOff, attempts: cutOff.attempts + 1, processed: 0 };
      await save(job);
    }
    job ??= await options.jobs.claimNext({ tenant });
    if (!job) return;
    log(`ingest job ${job.id} (${tenant}) started, attempt ${job.attempts}`);
    await runRecordedJob(job, options.run, save);
    log(`ingest job ${job.id} (${tenant}) ${job.status}${job.error ? `: ${job.error}` : ''}`);
  };

  const worker = new Worker<TenantTurn>(INGEST_QUEUE, async (turn) => takeTurn(turn.data.tenant), {
    connection,
    prefix: options.prefix ?? QUEUE_PREFIX,
    concurrency: options.concurrency ?? DEFAULT_INGEST.maxConcurrentTenants,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // Give-ups are counted in the job store (attempts), not by BullMQ's stall counter.
    maxStalledCount: 1_000_000,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  worker.on('error', (error) => log(`ingest queue: ${error.message}`));

  // Waiting jobs of every tenant get a turn (deduplicated: a tenant in line keeps its place).
  const sweep = async () => {
    const tenants = new Set((await options.jobs.unfinished()).map((job) => job.tenant));
    for (const tenant of tenants) await notifier.notify(tenant);
  };
  // The turn just completed released the tenant's place: the next of its jobs goes to the back.
  worker.on('completed', (turn) => {
    void options.jobs
      .unfinished({ tenant: turn.data.tenant })
      .then((left) => (left.length > 0 ? notifier.notify(turn.data.tenant) : undefined))
      .catch((error) => log(`ingest queue: ${(error as Error).message}`));
  });
  let sweeping = sweep().catch((error) => log(`ingest sweep: ${(error as Error).message}`));
  const timer = setInterval(
    () => {
      sweeping = sweeping
        .then(() => sweep())
        .catch((error) => log(`ingest sweep: ${(error as Error).message}`));
    },
    Math.min(options.sweepMs ?? 5000, lockMs),
  );

  return {
    async close() {
      clearInterval(timer);
      await sweeping;
      // Waits for the turns in hand: their jobs finish and are recorded.
      await worker.close();
      await save.settled();
      await notifier.close();
      connection.disconnect();
    },
  };
}
