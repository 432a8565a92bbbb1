import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { Conflict, Store, TraceStore } from '../spec/index.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';

// The API in-process: two uploaded documents that disagree on one number.
const embedder = createHashingEmbedder({ dimensions: 256 });
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let built: ReturnType<typeof createApp>;
let reader = '';

function request(pathname: string, key: string, json: unknown, accept?: string) {
  const headers = new Headers({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
  if (accept) headers.set('accept', accept);
  return built.app.request(pathname, { method: 'POST', headers, body: JSON.stringify(json) });
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-server-conflicts-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  built = createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    limits: {
      maxJsonBytes: 64 * 1024,
      maxUploadBytes: 256 * 1024,
      rateLimit: { capacity: 1000, refillPerSecond: 1000 },
    },
  });
  const writer = (await keys.create({ tenant: 'acme', role: 'writer' })).key;
  reader = (await keys.create({ tenant: 'acme', role: 'reader' })).key;
  const upload = await request('/v1/documents', writer, {
    documents: [
      {
        name: 'handbook.md',
        text: '# Handbook\n\nThe office library lends each member up to 4 books at a time for three weeks.\n',
      },
      {
        name: 'wiki.md',
        text: '# Wiki\n\nThe office library lends each member up to 6 books at a time for three weeks.\n',
      },
    ],
  });
  assert.equal(upload.status, 202, await upload.clone().text());
  await built.jobs.idle();
});
after(async () => {
  await keys.close();
  await traces.close();
  await store.close();
});

const question = 'How many books does the office library lend each member?';

function assertBothValues(conflicts: Conflict[] | undefined) {
  assert.equal(conflicts?.length, 1);
  assert.deepEqual(conflicts?.[0]?.values.map((value) => value.value).sort(), ['4', '6']);
}

test('/v1/ask JSON carries conflicts and the answer names both values', async () => {
  const response = await request('/v1/ask', reader, { question });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { answer: string; conflicts: Conflict[] };
  assertBothValues(body.conflicts);
  assert.match(body.answer, /^The sources disagree /);
  assert.match(body.answer, /\[\d\] says 4\b/);
  assert.match(body.answer, /\[\d\] says 6\b/);
});

test('/v1/ask SSE sends a conflict event and conflicts in done', async () => {
  const response = await request('/v1/ask', reader, { question, stream: true }, 'text/event-stream');
  assert.equal(response.status, 200);
  const events = (await response.text())
    .split('\n\n')
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1],
      data: /^data: (.*)$/m.exec(block)?.[1],
    }))
    .filter((event) => event.event);
  const conflictEvents = events.filter((event) => event.event === 'conflict');
  assertBothValues(conflictEvents.map((event) => JSON.parse(event.data ?? '{}') as Conflict));
  const done = events.find((event) => event.event === 'done');
  assertBothValues((JSON.parse(done?.data ?? '{}') as { conflicts: Conflict[] }).conflicts);
  const streamed = events
    .filter((event) => event.event === 'token')
    .map((event) => (JSON.parse(event.data ?? '{}') as { text: string }).text)
    .join('');
  assert.match(streamed, /^The sources disagree/);
});

test('chat completions carry conflicts in the cairn extension field', async () => {
  const response = await request('/v1/chat/completions', reader, {
    messages: [{ role: 'user', content: question }],
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { cairn: { conflicts: Conflict[] } };
  assertBothValues(body.cairn.conflicts);
});
