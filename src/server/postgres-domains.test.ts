import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAnswerCache } from '../cache/index.ts';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { EvalRun } from '../evaluate/eval-run.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { Store } from '../spec/index.ts';
import type { StorageDomains } from '../store/open-storage.ts';
import { openDomains } from '../store/open-storage.ts';
import { createTestDatabase } from '../store/postgres/__fixtures__/test-database.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { createUsageLedger } from '../usage/index.ts';
import { createApp } from './create-app.ts';
import type { IngestJob } from './ingest-jobs.ts';

// The API with every non-document domain in PostgreSQL (documents stay in SQLite until the
// Postgres document store lands): what a request writes must be in the database afterwards.
const embedder = createHashingEmbedder({ dimensions: 64 });
const database = await createTestDatabase();

describe('the API over Postgres domains', { ...(database.skip ? { skip: database.skip } : {}) }, () => {
  let store: Store;
  let domains: StorageDomains<IngestJob, EvalRun>;
  let built: ReturnType<typeof createApp>;

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-pg-api-'));
    store = openSqliteStore({
      path: path.join(dir, 'index.db'),
      embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
    });
    domains = await openDomains<IngestJob, EvalRun>(database.url);
    built = createApp({
      store,
      embedder,
      traceStore: domains.traces,
      keys: domains.apiKeys,
      auditLog: domains.audit,
      jobLog: domains.jobs,
      usage: createUsageLedger(domains.usage),
      cache: { cache: createAnswerCache(domains.cache), settings: 'test' },
      evalRuns: domains.evalRuns,
      indexSettings: domains.settings,
      answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
      retrieval: { mode: 'hybrid', k: 4 },
      chunking: DEFAULT_CHUNKING,
      uploadsDir: path.join(dir, 'uploads'),
    });
  });
  after(async () => {
    await built?.jobs.idle();
    await domains?.close();
    await store?.close();
    await database.drop();
  });

  const call = (pathname: string, key: string, init: RequestInit & { json?: unknown } = {}) =>
    built.app.request(pathname, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });

  test('keys, jobs, answers, cache, traces, audit and usage all land in Postgres', async () => {
    const { key } = await domains.apiKeys.create({ tenant: 'acme', role: 'admin' });
    const uploaded = await call('/v1/documents', key, {
      method: 'POST',
      json: {
        documents: [{ name: 'ports.md', text: '# Ports\n\nThe control service listens on port 4242.' }],
      },
    });
    assert.equal(uploaded.status, 202);
    const { job } = (await uploaded.json()) as { job: { id: string } };
    await built.jobs.idle();
    assert.equal((await domains.jobs.get(job.id))?.status, 'done');
    assert.equal((await (await call(`/v1/ingest-jobs/${job.id}`, key)).json()).job.summary.added, 1);

    const question = { question: 'Which port does the control service listen on?' };
    const first = (await (await call('/v1/ask', key, { method: 'POST', json: question })).json()) as {
      answer: string;
      traceId: string;
    };
    assert.match(first.answer, /4242/);
    const second = (await (await call('/v1/ask', key, { method: 'POST', json: question })).json()) as {
      cache?: { hit: string };
    };
    assert.equal(second.cache?.hit, 'exact', 'the second ask is served from the Postgres cache');

    assert.equal((await domains.traces.getTrace('acme', first.traceId))?.traceId, first.traceId);
    const audit = await domains.audit.list('acme');
    assert.deepEqual(
      audit.map((entry) => entry.route),
      ['ask', 'ask'],
    );
    const [usage] = await domains.usage.report({ tenant: 'acme' });
    assert.equal(usage?.requests, 2);
    assert.equal(usage?.cached, 1);
    const listed = (await (await call('/v1/keys', key)).json()) as { keys: { tenant: string }[] };
    assert.deepEqual(
      listed.keys.map((record) => record.tenant),
      ['acme'],
    );
  });
});
