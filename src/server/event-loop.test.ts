import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serve } from '@hono/node-server';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createBatchingEmbedder } from '../embed/batching-embedder.ts';
import { embed } from '../embed/embed-many.ts';
import { createLocalEmbedder } from '../embed/local-embedder.ts';
import { ingestPath } from '../engine/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { Answerer, Store, TraceStore } from '../spec/index.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';

// A real server on a loopback port with the local model and extractive answers, as `cairn serve`
// runs them: while answers are being composed the server must keep answering other requests.
// The assertion is about order (which responses arrived first), never about durations.

const TOPICS = ['glacier', 'volcano', 'estuary', 'savanna', 'tundra', 'reef', 'canyon', 'delta'];
const VERBS = ['shapes', 'erodes', 'feeds', 'shelters', 'cools', 'drains', 'warms', 'divides'];
const OBJECTS = ['the valley floor', 'migrating herds', 'coastal towns', 'river sediment', 'deep aquifers'];

/** Long sentences built from word lists, so each of the many candidate sentences costs the model. */
function sentence(doc: number, index: number): string {
  const topic = TOPICS[(doc + index) % TOPICS.length] as string;
  const verb = VERBS[(doc * 3 + index) % VERBS.length] as string;
  const object = OBJECTS[(doc + index * 2) % OBJECTS.length] as string;
  return (
    `In survey ${doc}-${index} the ${topic} ${verb} ${object} over many seasons, and field teams ` +
    `recorded how the ${topic} ${verb} ${object} again after each storm passed through the region.`
  );
}

let dir = '';
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let local: ReturnType<typeof createLocalEmbedder>;
let baseUrl = '';
let reader = '';
let server: ReturnType<typeof serve>;
const ASKS = 3;
let answersStarted = 0;
let releaseAnswers: () => void = () => undefined;
/** Resolves once every ask has reached the answerer. */
const allAnswering = new Promise<void>((resolve) => {
  releaseAnswers = resolve;
});

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-event-loop-'));
  const docsDir = path.join(dir, 'docs');
  fs.mkdirSync(docsDir);
  for (let doc = 0; doc < 8; doc++) {
    const body = Array.from({ length: 14 }, (_, index) => sentence(doc, index)).join(' ');
    fs.writeFileSync(path.join(docsDir, `survey-${doc}.md`), `# Survey ${doc}\n\n${body}\n`);
  }
  const indexPath = path.join(dir, 'index.db');
  local = createLocalEmbedder({ threads: 1 });
  const embedder = createBatchingEmbedder(local, { concurrency: 1 });
  store = openSqliteStore({
    path: indexPath,
    embedder: { embedderId: 'local:use-lite-512', dimensions: 512 },
  });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  reader = (await keys.create({ tenant: 'acme', role: 'reader' })).key;
  await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docsDir, namespace: 'acme' });
  // Warm the model so the asks below spend their time answering, not loading weights.
  await embed(embedder, 'warm up');
  const extractive = createExtractiveAnswerer({ embedder, abstainThreshold: -1 });
  // Holds each answer until every ask has reached the answerer, so all of them are composed
  // together while the test sends its other requests.
  const answerer: Answerer = {
    id: extractive.id,
    deterministic: true,
    async answer(request) {
      answersStarted += 1;
      if (answersStarted === ASKS) releaseAnswers();
      await allAnswering;
      return extractive.answer(request);
    },
  };
  const { app } = createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    answerer,
    retrieval: { mode: 'hybrid', k: 8 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    limits: { rateLimit: { capacity: 1000, refillPerSecond: 1000 } },
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await local.close();
  await keys.close();
  await traces.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('health checks and searches are answered while several extractive answers are composed', async () => {
  const finished: string[] = [];
  const post = (route: string, body: unknown) =>
    fetch(`${baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const questions = [
    'What shapes the valley floor?',
    'What feeds coastal towns?',
    'What drains deep aquifers?',
  ];
  assert.equal(questions.length, ASKS);
  const asks = questions.map(async (question, index) => {
    const response = await post('/v1/ask', { question });
    assert.equal(response.status, 200, await response.clone().text());
    const result = (await response.json()) as { answer: string; abstained: boolean };
    assert.equal(result.abstained, false);
    finished.push(`ask ${index + 1}`);
  });
  await allAnswering;

  const health = await fetch(`${baseUrl}/healthz`);
  assert.equal(health.status, 200);
  finished.push('healthz');
  // Lexical search needs no embedding, so it shows the event loop itself is free.
  const search = await post('/v1/search', { query: 'glacier valley floor', mode: 'bm25', k: 3 });
  assert.equal(search.status, 200, await search.clone().text());
  assert.ok(((await search.json()) as { results: unknown[] }).results.length > 0);
  finished.push('search');

  await Promise.all(asks);
  assert.deepEqual(finished.slice(0, 2), ['healthz', 'search'], `order: ${finished.join(', ')}`);
});
