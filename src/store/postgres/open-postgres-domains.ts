import pg from 'pg';
import { CairnError, type EvalRunRecord, type IngestJobRecord } from '../../spec/index.ts';
import type { StorageDomains } from '../storage-domains.ts';
import { createPgAnswerCache } from './pg-answer-cache.ts';
import { createPgApiKeys } from './pg-api-keys.ts';
import { createPgAudit } from './pg-audit.ts';
import { createPgEvalRuns } from './pg-eval-runs.ts';
import { createPgFeedback } from './pg-feedback.ts';
import { createPgIngestJobs } from './pg-ingest-jobs.ts';
import { migrateDomains } from './pg-migrations-domains.ts';
import { createPgSettings } from './pg-settings.ts';
import { createPgTraces } from './pg-traces.ts';
import { createPgUploads } from './pg-uploads.ts';
import { createPgUsage } from './pg-usage.ts';

/** The URL without its password, for error messages. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return connectionString;
  }
}

/**
 * Opens every non-vector domain on one connection pool to a PostgreSQL database, applying the
 * domains' pending migrations first. Closing the result ends the pool.
 */
export async function openPostgresDomains<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
>(connectionString: string, options: { max?: number } = {}): Promise<StorageDomains<Job, Run>> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await migrateDomains(pool);
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new CairnError(
      'invalid_option',
      `cannot open PostgreSQL storage at ${redactConnectionString(connectionString)}: ${(cause as Error).message}`,
      { cause },
    );
  }
  let closed = false;
  return {
    traces: createPgTraces(pool),
    apiKeys: createPgApiKeys(pool),
    audit: createPgAudit(pool),
    jobs: createPgIngestJobs<Job>(pool),
    cache: createPgAnswerCache(pool),
    usage: createPgUsage(pool),
    evalRuns: createPgEvalRuns<Run>(pool),
    settings: createPgSettings(pool),
    feedback: createPgFeedback(pool),
    uploads: createPgUploads(pool),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
