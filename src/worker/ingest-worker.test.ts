import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { type IngestJob, newIngestJob } from '../server/ingest-jobs.ts';
import { createUploadIngest, setAsideCrashingUpload } from '../server/upload-ingest.ts';
import type { IngestJobStore, Store, UploadStore } from '../spec/index.ts';
import { openFolderUploads } from '../store/folder-uploads.ts';
import { openSqliteIngestJobs, openSqliteStore } from '../store/sqlite/index.ts';
import { skipWithoutRedis, TEST_REDIS_URL } from '../testing/test-redis.ts';
import { openIngestNotifier } from './ingest-notifier.ts';
import { type IngestWorker, startIngestWorker } from './ingest-worker.ts';

// Real Redis (BullMQ) and a real SQLite index; each test its own queue prefix and index.
const embedder = createHashingEmbedder({ dimensions: 64 });
const text = (words: string) => new Uint8Array(Buffer.from(`# Notes\n\n${words}\n`, 'utf8'));

interface Rig {
  store: Store;
  jobs: IngestJobStore<IngestJob>;
  uploads: UploadStore;
  prefix: string;
  starts: string[];
  worker: (options?: { lockMs?: number }) => Promise<IngestWorker>;
  waitFor: (ids: string[], timeoutMs?: number) => Promise<IngestJob[]>;
  close: () => Promise<void>;
}

async function rig(): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-worker-'));
  const indexPath = path.join(dir, 'index.db');
  const store = openSqliteStore({
    path: indexPath,
    embedder: { embedderId: embedder.modelId, dimensions: 64 },
  });
  const jobs = openSqliteIngestJobs<IngestJob>(indexPath);
  const uploads = openFolderUploads(path.join(dir, 'uploads'));
  const prefix = `cairn-test:${randomUUID()}`;
  const starts: string[] = [];
  const workers: IngestWorker[] = [];
  const run = createUploadIngest({
    store,
    embedder,
    chunking: DEFAULT_CHUNKING,
    uploads,
    workDir: path.join(dir, 'work'),
    scanInjection: true,
    redactPii: false,
  });
  return {
    store,
    jobs,
    uploads,
    prefix,
    starts,
    async worker(options = {}) {
      const worker = await startIngestWorker({
        redisUrl: TEST_REDIS_URL,
        prefix,
        jobs,
        run,
        concurrency: 1,
        sweepMs: 200,
        onGiveUp: (job) => setAsideCrashingUpload(uploads, job),
        log: (line) => {
          const started = /^ingest job (\S+) \((\S+)\) started/.exec(line);
          if (started) starts.push(started[2] as string);
        },
        ...options,
      });
      workers.push(worker);
      return worker;
    },
    async waitFor(ids, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await Promise.all(ids.map((id) => jobs.get(id)));
        if (found.every((job) => job && (job.status === 'done' || job.status === 'failed')))
          return found as IngestJob[];
        if (Date.now() > deadline)
          throw new Error(`jobs not finished: ${JSON.stringify(found.map((job) => job?.status))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      for (const worker of workers) await worker.close();
      await jobs.close();
      await store.close();
    },
  };
}

/** Records an upload job the way an API node does, optionally telling the queue. */
async function submit(rigged: Rig, tenant: string, files: Record<string, string>, notify = true) {
  for (const [name, words] of Object.entries(files)) await rigged.uploads.put(tenant, name, text(words));
  const job = newIngestJob(tenant, Object.keys(files));
  await rigged.jobs.save(job);
  if (notify) {
    const notifier = await openIngestNotifier(TEST_REDIS_URL, rigged.prefix);
    await notifier.notify(tenant);
    await notifier.close();
  }
  return job;
}

describe('ingest worker on BullMQ', async () => {
  const options = await skipWithoutRedis();
  let rigged: Rig;
  before(async () => {
    if (!options.skip) rigged = await rig();
  });
  after(async () => rigged?.close());

  test(
    'every job runs; a tenant with many jobs holds one place in line, so tenants alternate',
    options,
    async () => {
      const many = [];
      for (let i = 0; i < 4; i += 1)
        many.push(await submit(rigged, 'acme', { [`a${i}.md`]: `glacier note ${i}` }));
      const other = await submit(rigged, 'globex', { 'g.md': 'moraine field notes' });
      await rigged.worker();
      const finished = await rigged.waitFor([...many, other].map((job) => job.id));
      assert.deepEqual(
        finished.map((job) => job.status),
        ['done', 'done', 'done', 'done', 'done'],
      );
      // globex's one job started before acme's second, not after all four.
      assert.ok(rigged.starts.indexOf('globex') <= 1, rigged.starts.join(' '));
      assert.equal((await rigged.store.listDocuments('acme')).length, 4);
      assert.deepEqual(
        (await rigged.store.listDocuments('globex')).map((document) => document.id),
        ['uploads/g.md'],
      );
    },
  );

  test(
    'a job left running by a killed worker is run again, and given up after maxAttempts starts',
    options,
    async () => {
      const cutOnce = await submit(rigged, 'initech', { 'i.md': 'drumlin survey' }, false);
      await rigged.jobs.save({ ...cutOnce, status: 'running', attempts: 1, current: 'i.md' });
      const resumed = (await rigged.waitFor([cutOnce.id]))[0] as IngestJob;
      assert.equal(resumed.status, 'done');
      assert.equal(resumed.attempts, 2);

      const bomb = await submit(rigged, 'umbrella', { 'bomb.md': 'kept stopping its worker' }, false);
      await rigged.jobs.save({ ...bomb, status: 'running', attempts: 3, current: 'bomb.md' });
      const next = await submit(rigged, 'umbrella', { 'fine.md': 'esker walk' }, false);
      const [givenUp, after] = await rigged.waitFor([bomb.id, next.id]);
      assert.equal(givenUp?.status, 'failed');
      assert.match(
        givenUp?.error ?? '',
        /stopped 3 times while processing "bomb\.md".*moved out of the upload folder/,
      );
      assert.equal(after?.status, 'done');
      // The file set aside was not ingested; the next job's file was.
      assert.deepEqual(
        (await rigged.store.listDocuments('umbrella')).map((document) => document.id),
        ['uploads/fine.md'],
      );
    },
  );

  test('a job whose queue entry was lost (nobody was told) is found by the sweep', options, async () => {
    const silent = await submit(rigged, 'hooli', { 'h.md': 'cirque lake' }, false);
    const [job] = await rigged.waitFor([silent.id]);
    assert.equal(job?.status, 'done');
  });
});
