import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { EmbeddingModel, Store, TraceStore } from '../spec/index.ts';
import {
  openSqliteApiKeys,
  openSqliteIngestJobs,
  openSqliteStore,
  openSqliteTraces,
} from '../store/sqlite/index.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';
import type { IngestJob } from './ingest-jobs.ts';

// The real app in-process over a real SQLite file; the embedder holds back the large document's
// chunks until the test lets them through, so "still running" is a state, not a race.
const MARKER = 'glacier';
const hashing = createHashingEmbedder({ dimensions: 64 });
let release: () => void = () => {};
let gate = Promise.resolve();
/** Embedding calls in the order they finished: `large` (held by the gate) or `small`. */
let calls: string[] = [];
const gatedEmbedder: EmbeddingModel = {
  ...hashing,
  async doEmbed(options) {
    const large = options.values.some((value) => value.includes(MARKER));
    if (large) await gate;
    calls.push(large ? 'large' : 'small');
    return hashing.doEmbed(options);
  },
};

let dir = '';
let indexPath = '';
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let writerA = '';
let writerB = '';

function appWith(overrides: Partial<Parameters<typeof createApp>[0]> = {}) {
  return createApp({
    store,
    embedder: gatedEmbedder,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder: gatedEmbedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: fs.mkdtempSync(path.join(dir, 'uploads-')),
    limits: { rateLimit: { capacity: 1000, refillPerSecond: 1000 } },
    ...overrides,
  });
}

async function upload(
  built: ReturnType<typeof createApp>,
  key: string,
  documents: { name: string; text: string }[],
): Promise<string> {
  const response = await built.app.request('/v1/documents', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ documents }),
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { job: IngestJob }).job.id;
}

async function poll(built: ReturnType<typeof createApp>, key: string, id: string): Promise<IngestJob> {
  const response = await built.app.request(`/v1/ingest-jobs/${id}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { job: IngestJob }).job;
}

/** Polls until the job leaves `queued`/`running`; gives up (and returns it as is) after ~5 s. */
async function settled(built: ReturnType<typeof createApp>, key: string, id: string): Promise<IngestJob> {
  for (let round = 0; round < 500; round += 1) {
    const job = await poll(built, key, id);
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return poll(built, key, id);
}

const largeText = Array.from(
  { length: 400 },
  (_, index) => `Paragraph ${index} on ${MARKER} retreat and moraine deposits in the valley.`,
).join('\n\n');

// A fresh index per test: an index ties each tenant's namespace to one upload folder.
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-fairness-'));
  indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-64', dimensions: 64 } });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  writerA = (await keys.create({ tenant: 'acme', role: 'writer' })).key;
  writerB = (await keys.create({ tenant: 'globex', role: 'writer' })).key;
});

afterEach(async () => {
  await keys.close();
  await traces.close();
  await store.close();
});

test("a tenant's small upload is indexed while another tenant's large upload is still running", async () => {
  gate = new Promise((resolve) => {
    release = resolve;
  });
  calls = [];
  const built = appWith();
  const large = await upload(built, writerB, [{ name: 'large.txt', text: largeText }]);
  const small = await upload(built, writerA, [{ name: 'small.md', text: 'Rotate keys every 90 days.' }]);
  const smallJob = await settled(built, writerA, small);
  const largeJob = await poll(built, writerB, large);
  release();
  await built.jobs.idle();
  assert.equal(smallJob.status, 'done');
  assert.equal(smallJob.summary?.added, 1);
  assert.equal(largeJob.status, 'running');
  assert.equal(largeJob.current, 'large.txt', 'the running job names the file it is on');
  assert.deepEqual(calls, ['small', 'large']);
  assert.equal((await poll(built, writerB, large)).status, 'done');
});

test('with ingest.maxConcurrentTenants 1 every job waits for the one before (the old behaviour)', async () => {
  gate = new Promise((resolve) => {
    release = resolve;
  });
  calls = [];
  const built = appWith({ ingest: { maxConcurrentTenants: 1 } });
  const large = await upload(built, writerB, [{ name: 'large.txt', text: largeText }]);
  const small = await upload(built, writerA, [{ name: 'small.md', text: 'Rotate keys every 90 days.' }]);
  const waiting = await poll(built, writerA, small);
  release();
  await built.jobs.idle();
  assert.equal(waiting.status, 'queued');
  assert.deepEqual(
    calls,
    ['large', 'small'],
    "the small document waits for all of the large one's embedding",
  );
  assert.equal((await poll(built, writerA, small)).status, 'done');
  assert.equal((await poll(built, writerB, large)).status, 'done');
});

test('a job that crashed the server on every start is reported failed, naming its file, which is set aside', async () => {
  const jobLog = openSqliteIngestJobs<IngestJob>(indexPath);
  const uploadsDir = fs.mkdtempSync(path.join(dir, 'uploads-'));
  fs.mkdirSync(path.join(uploadsDir, 'acme'));
  fs.writeFileSync(path.join(uploadsDir, 'acme', 'bomb.txt'), 'A file whose parsing exhausts memory.');
  // What three starts that each died while on bomb.txt leave in the log.
  await jobLog.save({
    id: 'crashed-job',
    tenant: 'acme',
    status: 'running',
    files: ['bomb.txt'],
    processed: 0,
    current: 'bomb.txt',
    attempts: 3,
    summary: null,
    error: null,
    createdAt: new Date().toISOString(),
    finishedAt: null,
  });
  const built = appWith({ jobLog, uploadsDir, ingest: { maxAttempts: 3 } });
  await built.jobs.idle();
  const job = await poll(built, writerA, 'crashed-job');
  assert.equal(job.status, 'failed');
  assert.match(job.error ?? '', /stopped 3 times while processing "bomb\.txt"/);
  assert.ok(!fs.existsSync(path.join(uploadsDir, 'acme', 'bomb.txt')), 'out of the upload folder');
  // The tenant's next upload does not pick the crashing file up again.
  const next = await settled(
    built,
    writerA,
    await upload(built, writerA, [{ name: 'ok.md', text: 'Fine.' }]),
  );
  assert.equal(next.status, 'done');
  assert.equal(next.summary?.added, 1);
  await jobLog.close();
});
