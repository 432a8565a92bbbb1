import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { CairnError, type EmbeddingModel } from '../spec/index.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { createAdmission } from './admission.ts';
import { createApp } from './create-app.ts';

test('admission: turns up to the limit, then a bounded queue in order, then overloaded at once', async () => {
  const admission = createAdmission({ maxInFlight: 2, maxQueued: 1, maxWaitMs: 60_000 });
  const first = await admission.admit();
  await admission.admit();
  let thirdAdmitted = false;
  const third = admission.admit().then((release) => {
    thirdAdmitted = true;
    return release;
  });
  await assert.rejects(admission.admit(), (error: unknown) => {
    assert.ok(CairnError.is(error, 'overloaded'));
    assert.ok(((error as unknown as { retryAfterSeconds: number }).retryAfterSeconds ?? 0) >= 1);
    return true;
  });
  assert.deepEqual(admission.load(), { inFlight: 2, queued: 1 });
  assert.equal(thirdAdmitted, false);
  first();
  first(); // a second release of the same turn frees nothing more
  (await third)();
  assert.deepEqual(admission.load(), { inFlight: 1, queued: 0 });
});

test('admission: a wait past maxWaitMs is overloaded; a caller that goes away leaves the queue', async () => {
  const admission = createAdmission({ maxInFlight: 1, maxQueued: 5, maxWaitMs: 30 });
  const held = await admission.admit();
  await assert.rejects(admission.admit(), /no turn to answer within 30 ms/);
  const controller = new AbortController();
  const leaving = admission.admit(controller.signal);
  controller.abort();
  await assert.rejects(leaving, (error: unknown) => CairnError.is(error, 'aborted'));
  assert.deepEqual(admission.load(), { inFlight: 1, queued: 0 });
  held();
});

test('/v1/ask past the answer limits is 503 with Retry-After, and the admitted answers complete', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-admission-'));
  const indexPath = path.join(dir, 'index.db');
  const hashing = createHashingEmbedder({ dimensions: 64 });
  // Query embeddings wait for the gate, so the first answer holds its turn while the others arrive.
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held: EmbeddingModel = {
    ...hashing,
    doEmbed: async (options) => {
      await gate;
      return hashing.doEmbed(options);
    },
  };
  const store = openSqliteStore({
    path: indexPath,
    embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
  });
  const keys = openSqliteApiKeys(indexPath);
  const traces = openSqliteTraces(indexPath);
  const { key } = await keys.create({ tenant: 'acme', role: 'reader' });
  const { app } = createApp({
    store,
    embedder: held,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder: held, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 2 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    limits: { answers: { maxInFlight: 1, maxQueued: 1, maxWaitMs: 60_000 } },
  });
  const askOnce = () =>
    app.request('/v1/ask', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'How long are audit logs kept?' }),
    });
  const running = askOnce();
  const waiting = askOnce();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const refused = await askOnce();
  assert.equal(refused.status, 503);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'overloaded');
  open();
  assert.deepEqual(
    await Promise.all([running, waiting].map(async (response) => (await response).status)),
    [200, 200],
  );
  await store.close();
  await keys.close();
  await traces.close();
});
