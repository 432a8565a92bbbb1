import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { IngestSummary } from '../engine/index.ts';
import { openSqliteIngestJobs } from '../store/sqlite/index.ts';
import { createIngestJobQueue, type IngestJob } from './ingest-jobs.ts';

const summary = (added: number): IngestSummary => ({
  collection: 'uploads',
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
  const firstLog = openSqliteIngestJobs<IngestJob>(file);
  const first = createIngestJobQueue(firstLog);
  // The first process dies mid-job: its run never settles.
  const stuck = first.enqueue('acme', ['a.md'], () => new Promise<IngestSummary>(() => {}));
  await new Promise((resolve) => setTimeout(resolve, 10));
  await firstLog.close();

  const secondLog = openSqliteIngestJobs<IngestJob>(file);
  const second = createIngestJobQueue(secondLog);
  const resumed = await second.resume(async () => summary(1));
  assert.deepEqual(
    resumed.map((job) => job.id),
    [stuck.id],
  );
  await second.idle();
  assert.equal((await second.get('acme', stuck.id))?.status, 'done');
  assert.equal(await second.get('globex', stuck.id), undefined, 'other tenants cannot see it');
  assert.deepEqual(await secondLog.unfinished(), [], 'nothing is left to resume');
  await secondLog.close();
});

test('a failing job is reported as failed with its error, and the queue goes on', async () => {
  const queue = createIngestJobQueue();
  const failing = queue.enqueue('acme', ['bad.md'], async () => {
    throw new Error('disk full');
  });
  const next = queue.enqueue('acme', ['good.md'], async () => summary(2));
  await queue.idle();
  assert.equal((await queue.get('acme', failing.id))?.status, 'failed');
  assert.equal((await queue.get('acme', failing.id))?.error, 'disk full');
  assert.equal((await queue.get('acme', next.id))?.summary?.added, 2);
});

/** A promise with its resolve function, so a test decides when a fake job finishes. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Lets every job that can make progress do so (a few turns of the event loop, no clock). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

const never = () => new Promise<IngestSummary>(() => {});

test("another tenant's job starts and finishes while a long job is still running", async () => {
  const queue = createIngestJobQueue(undefined, { maxConcurrentTenants: 2 });
  const order: string[] = [];
  const big = deferred<IngestSummary>();
  const long = queue.enqueue('globex', ['big.txt'], async () => {
    order.push('globex started');
    const result = await big.promise;
    order.push('globex finished');
    return result;
  });
  await settle();
  const small = queue.enqueue('acme', ['small.md'], async () => {
    order.push('acme started');
    return summary(1);
  });
  await settle();
  const pending = {
    acme: (await queue.get('acme', small.id))?.status,
    globex: (await queue.get('globex', long.id))?.status,
  };
  big.resolve(summary(1));
  await queue.idle();
  assert.deepEqual(pending, { acme: 'done', globex: 'running' });
  assert.deepEqual(order, ['globex started', 'acme started', 'globex finished']);
});

test('jobs of one tenant run one after another, in order', async () => {
  const queue = createIngestJobQueue(undefined, { maxConcurrentTenants: 4 });
  const order: string[] = [];
  const first = deferred<IngestSummary>();
  queue.enqueue('acme', ['a.md'], async () => {
    order.push('first started');
    const result = await first.promise;
    order.push('first finished');
    return result;
  });
  const second = queue.enqueue('acme', ['b.md'], async () => {
    order.push('second started');
    return summary(1);
  });
  await settle();
  assert.equal((await queue.get('acme', second.id))?.status, 'queued');
  first.resolve(summary(1));
  await queue.idle();
  assert.deepEqual(order, ['first started', 'first finished', 'second started']);
});

test('with one job at a time, tenants take turns between jobs', async () => {
  const queue = createIngestJobQueue(undefined, { maxConcurrentTenants: 1 });
  const order: string[] = [];
  const gate = deferred<IngestSummary>();
  const job = (name: string, wait?: Promise<IngestSummary>) => async () => {
    order.push(name);
    return wait ?? summary(1);
  };
  queue.enqueue('globex', ['b1.txt'], job('globex 1', gate.promise));
  queue.enqueue('globex', ['b2.txt'], job('globex 2'));
  await settle();
  const small = queue.enqueue('acme', ['a.md'], job('acme 1'));
  await settle();
  assert.equal((await queue.get('acme', small.id))?.status, 'queued', 'one job at a time: acme waits');
  gate.resolve(summary(1));
  await queue.idle();
  assert.deepEqual(order, ['globex 1', 'acme 1', 'globex 2']);
});

test('no more tenants run at once than the cap', async () => {
  const queue = createIngestJobQueue(undefined, { maxConcurrentTenants: 2 });
  const gates = [deferred<IngestSummary>(), deferred<IngestSummary>()];
  const started: string[] = [];
  for (const [index, tenant] of ['t1', 't2'].entries())
    queue.enqueue(tenant, ['x.md'], async () => {
      started.push(tenant);
      return (gates[index] as { promise: Promise<IngestSummary> }).promise;
    });
  const third = queue.enqueue('t3', ['x.md'], async () => {
    started.push('t3');
    return summary(1);
  });
  await settle();
  assert.deepEqual(started, ['t1', 't2']);
  assert.equal((await queue.get('t3', third.id))?.status, 'queued');
  gates[1]?.resolve(summary(1));
  await settle();
  assert.deepEqual(started, ['t1', 't2', 't3']);
  gates[0]?.resolve(summary(1));
  await queue.idle();
});

test('a job that keeps crashing the server is failed after the attempt bound, naming its file', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-jobs-')), 'index.db');
  // The first process started the job and died while it was on notes.md.
  const seed = openSqliteIngestJobs<IngestJob>(file);
  await seed.save({
    id: 'job-1',
    tenant: 'acme',
    status: 'running',
    files: ['notes.md', 'huge.txt'],
    processed: 0,
    current: 'notes.md',
    attempts: 1,
    summary: null,
    error: null,
    createdAt: new Date().toISOString(),
    finishedAt: null,
  });
  await seed.close();

  const starts: number[] = [];
  for (let start = 1; start <= 4; start += 1) {
    const log = openSqliteIngestJobs<IngestJob>(file);
    const queue = createIngestJobQueue(log, { maxAttempts: 3 });
    await queue.resume((_job, report) => {
      starts.push(start);
      report({ processed: 1, current: 'huge.txt' });
      // This process dies here (out of memory, say): the run never settles.
      return never();
    });
    await settle();
    if (start === 3) {
      const job = await queue.get('acme', 'job-1');
      assert.equal(job?.status, 'failed');
      assert.equal(job?.attempts, 3);
      assert.match(job?.error ?? '', /3 times.*"huge\.txt"/);
    }
    await log.close();
  }
  assert.deepEqual(starts, [1, 2], 'the second and third starts were the last attempts');

  const log = openSqliteIngestJobs<IngestJob>(file);
  const queue = createIngestJobQueue(log, { maxAttempts: 3 });
  assert.deepEqual(await log.unfinished(), []);
  const job = await queue.get('acme', 'job-1');
  assert.equal(job?.status, 'failed', 'still reported after another restart');
  assert.match(job?.error ?? '', /huge\.txt/);
  await log.close();
});

test('after a crash the jobs it cut off re-run alone, so a job that merely shared the crash is not blamed', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-jobs-')), 'index.db');
  const first = openSqliteIngestJobs<IngestJob>(file);
  const queue = createIngestJobQueue(first, { maxConcurrentTenants: 2, maxAttempts: 2 });
  const bomb = queue.enqueue('acme', ['bomb.txt'], never);
  const innocent = queue.enqueue('globex', ['fine.md'], never);
  await settle();
  await first.close();

  const runs: string[][] = [];
  for (let start = 0; start < 2; start += 1) {
    const log = openSqliteIngestJobs<IngestJob>(file);
    const restarted = createIngestJobQueue(log, { maxConcurrentTenants: 2, maxAttempts: 2 });
    const started: string[] = [];
    runs.push(started);
    await restarted.resume(async (job) => {
      started.push(job.tenant);
      // Only acme's file kills the process; globex's job finishes when it gets to run.
      return job.tenant === 'acme' ? never() : summary(1);
    });
    await settle();
    if (start === 1) {
      await restarted.idle();
      assert.equal((await restarted.get('acme', bomb.id))?.status, 'failed');
      assert.equal((await restarted.get('globex', innocent.id))?.status, 'done');
    }
    await log.close();
  }
  assert.deepEqual(runs, [['acme'], ['globex']]);
});
