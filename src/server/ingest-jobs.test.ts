import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { IngestSummary } from '../engine/index.ts';
import { createIngestJobQueue, openIngestJobLog } from './ingest-jobs.ts';

const summary = (added: number): IngestSummary => ({
  added,
  updated: 0,
  unchanged: 0,
  pruned: 0,
  failed: [],
  skipped: [],
  quarantined: [],
  piiRedacted: {},
  chunksWritten: added,
  embedMs: 1,
  totalMs: 2,
});

test('a job left running by a stopped server resumes under its id on the next start', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-jobs-')), 'index.db');
  const firstLog = openIngestJobLog(file);
  const first = createIngestJobQueue(firstLog);
  // The first process dies mid-job: its run never settles.
  const stuck = first.enqueue('acme', ['a.md'], () => new Promise<IngestSummary>(() => {}));
  await new Promise((resolve) => setTimeout(resolve, 10));
  firstLog.close();

  const secondLog = openIngestJobLog(file);
  const second = createIngestJobQueue(secondLog);
  const resumed = second.resume(async () => summary(1));
  assert.deepEqual(
    resumed.map((job) => job.id),
    [stuck.id],
  );
  await second.idle();
  assert.equal(second.get('acme', stuck.id)?.status, 'done');
  assert.equal(second.get('globex', stuck.id), undefined, 'other tenants cannot see it');
  assert.deepEqual(secondLog.unfinished(), [], 'nothing is left to resume');
  secondLog.close();
});

test('a failing job is reported as failed with its error, and the queue goes on', async () => {
  const queue = createIngestJobQueue();
  const failing = queue.enqueue('acme', ['bad.md'], async () => {
    throw new Error('disk full');
  });
  const next = queue.enqueue('acme', ['good.md'], async () => summary(2));
  await queue.idle();
  assert.equal(queue.get('acme', failing.id)?.status, 'failed');
  assert.equal(queue.get('acme', failing.id)?.error, 'disk full');
  assert.equal(queue.get('acme', next.id)?.summary?.added, 2);
});
