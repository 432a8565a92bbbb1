/** An upload being indexed, as the API reports it; `Summary` is what the finished run reports. */
export interface IngestJobRecord<Summary = unknown> {
  id: string;
  tenant: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  files: string[];
  processed: number;
  /** The file being processed, while the job runs. */
  current: string | null;
  /** Times the job was started; every start but a finished one ended with the process. */
  attempts: number;
  summary: Summary | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/**
 * Where ingest jobs and their progress are recorded, so that unfinished ones can be resumed after
 * a restart and polled from any process.
 */
export interface IngestJobStore<Job extends IngestJobRecord = IngestJobRecord> {
  /** Inserts or replaces the job's record. */
  save(job: Job): Promise<void>;
  /** Any recorded job, finished or not. */
  get(id: string): Promise<Job | undefined>;
  /** Jobs queued or running (all tenants', or one tenant's), oldest update first. */
  unfinished(options?: { tenant?: string }): Promise<Job[]>;
  /**
   * Takes the queued job saved longest ago, optionally of one tenant, and records it as running
   * with one more attempt, atomically: two claims never take the same job.
   */
  claimNext(options?: { tenant?: string }): Promise<Job | undefined>;
  close(): Promise<void>;
}
