import path from 'node:path';
import type { EvalRunRecord, IngestJobRecord } from '../../spec/index.ts';
import { openFolderUploads } from '../folder-uploads.ts';
import type { StorageDomains } from '../storage-domains.ts';
import { openSqliteAnswerCache } from './sqlite-answer-cache.ts';
import { openSqliteApiKeys } from './sqlite-api-keys.ts';
import { openSqliteAudit } from './sqlite-audit.ts';
import { openSqliteEvalRuns } from './sqlite-eval-runs.ts';
import { openSqliteFeedbackStore } from './sqlite-feedback-store.ts';
import { openSqliteIngestJobs } from './sqlite-ingest-jobs.ts';
import { openSqliteSettings } from './sqlite-settings.ts';
import { openSqliteTraces } from './sqlite-traces.ts';
import { openSqliteUsage } from './sqlite-usage.ts';

/**
 * Every non-document domain of one index file, each on its own connection opened at first use,
 * so opening them creates no file and no table a command does not touch (eval runs stay files
 * in `runs/` and uploads in `uploads/<tenant>/` next to the index).
 */
export function openSqliteDomains<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
>(indexPath: string): StorageDomains<Job, Run> {
  const domains = {
    traces: openSqliteTraces(indexPath),
    apiKeys: openSqliteApiKeys(indexPath),
    audit: openSqliteAudit(indexPath),
    jobs: openSqliteIngestJobs<Job>(indexPath),
    cache: openSqliteAnswerCache(indexPath),
    usage: openSqliteUsage(indexPath),
    evalRuns: openSqliteEvalRuns<Run>(indexPath),
    settings: openSqliteSettings(indexPath),
    feedback: openSqliteFeedbackStore(indexPath),
    uploads: openFolderUploads(path.join(path.dirname(path.resolve(indexPath)), 'uploads')),
  };
  return {
    ...domains,
    async close() {
      for (const domain of Object.values(domains)) await domain.close();
    },
  };
}
