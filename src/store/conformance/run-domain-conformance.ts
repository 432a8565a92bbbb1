import type { StorageDomains } from '../storage-domains.ts';
import { runAnswerCacheConformance } from './answer-cache.ts';
import { runApiKeysConformance } from './api-keys.ts';
import { runAuditConformance } from './audit.ts';
import { runEvalRunsConformance } from './eval-runs.ts';
import { runFeedbackConformance } from './feedback.ts';
import { runIngestJobsConformance } from './ingest-jobs.ts';
import { runSettingsConformance } from './settings.ts';
import { runTracesConformance } from './traces.ts';
import { runUploadsConformance } from './uploads.ts';
import { runUsageConformance } from './usage.ts';

/**
 * Runs every domain's conformance suite against one backend. `open` returns the domains of the
 * backend's current (empty) state; every call within a test must see the same data (the
 * concurrency tests open several writers), and `cleanup` empties it after each test.
 */
export function runDomainConformance(options: {
  name: string;
  open: () => Promise<StorageDomains>;
  cleanup?: () => Promise<void>;
  skip?: string | undefined;
}): void {
  const domain = <Key extends keyof Omit<StorageDomains, 'close'>>(key: Key) => ({
    name: options.name,
    // Each domain closes the whole set it came from, so no connection outlives its test.
    open: async () => {
      const domains = await options.open();
      return { ...domains[key], close: () => domains.close() } as StorageDomains[Key];
    },
    ...(options.cleanup ? { cleanup: options.cleanup } : {}),
    skip: options.skip,
  });
  runTracesConformance(domain('traces'));
  runApiKeysConformance(domain('apiKeys'));
  runAuditConformance(domain('audit'));
  runIngestJobsConformance(domain('jobs'));
  runAnswerCacheConformance(domain('cache'));
  runUsageConformance(domain('usage'));
  runEvalRunsConformance(domain('evalRuns'));
  runSettingsConformance(domain('settings'));
  runUploadsConformance(domain('uploads'));
  runFeedbackConformance(domain('feedback'));
}
