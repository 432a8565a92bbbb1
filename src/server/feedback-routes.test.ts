import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { parseGoldenItem } from '../evaluate/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { FeedbackStore, Store, TraceStore } from '../spec/index.ts';
import {
  openSqliteApiKeys,
  openSqliteFeedbackStore,
  openSqliteStore,
  openSqliteTraces,
} from '../store/sqlite/index.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';

// Feedback on answers and golden candidates from it, in-process through app.request().
const embedder = createHashingEmbedder({ dimensions: 256 });
let store: Store;
let traces: TraceStore;
let feedback: FeedbackStore;
let keys: ApiKeyStore;
let built: ReturnType<typeof createApp>;
const key = { readerA: '', adminA: '', writerA: '', adminB: '', readerB: '' };
let traceA = '';
let traceB = '';

function request(pathname: string, apiKey: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${apiKey}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return built.app.request(pathname, {
    ...init,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
}

async function askFor(apiKey: string, question: string) {
  const response = await request('/v1/ask', apiKey, { method: 'POST', json: { question } });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as {
    traceId: string;
    answer: string;
    abstained: boolean;
    abstainReason?: string;
    closestPassages?: { n: number; docId: string; chunkId: string; title: string; text: string }[];
  };
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-feedback-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  feedback = openSqliteFeedbackStore(indexPath);
  keys = openSqliteApiKeys(indexPath);
  built = createApp({
    store,
    embedder,
    traceStore: traces,
    feedback,
    keys,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    limits: { rateLimit: { capacity: 1000, refillPerSecond: 1000 } },
  });
  key.readerA = (await keys.create({ tenant: 'acme', role: 'reader' })).key;
  key.writerA = (await keys.create({ tenant: 'acme', role: 'writer' })).key;
  key.adminA = (await keys.create({ tenant: 'acme', role: 'admin' })).key;
  key.adminB = (await keys.create({ tenant: 'globex', role: 'admin' })).key;
  key.readerB = (await keys.create({ tenant: 'globex', role: 'reader' })).key;
  for (const [writer, text] of [
    [
      key.writerA,
      'Rotate API keys every ninety days and revoke the old key after one day of overlap. Questions go to keys-desk@example.org.',
    ],
    [key.adminB, 'Globex invoices are paid within forty five days of receipt.'],
  ] as const) {
    const response = await request('/v1/documents', writer, {
      method: 'POST',
      json: { documents: [{ name: 'policy.txt', text }] },
    });
    assert.equal(response.status, 202, await response.clone().text());
  }
  await built.jobs.idle();
  traceA = (await askFor(key.readerA, 'How often are API keys rotated?')).traceId;
  traceB = (await askFor(key.readerB, 'When are invoices paid?')).traceId;
});

after(async () => {
  await keys.close();
  await feedback.close();
  await traces.close();
  await store.close();
});

test('a reader rates an answer of its tenant, and a second rating replaces the first', async () => {
  const up = await request(`/v1/traces/${traceA}/feedback`, key.readerA, {
    method: 'POST',
    json: { rating: 'up' },
  });
  assert.equal(up.status, 201, await up.clone().text());
  const down = await request(`/v1/traces/${traceA}/feedback`, key.readerA, {
    method: 'POST',
    json: { rating: 'down', comment: '  misses the overlap day  ' },
  });
  assert.equal(down.status, 201);
  const stored = await feedback.getFeedback('acme', traceA);
  assert.equal(stored?.rating, 'down');
  assert.equal(stored?.comment, 'misses the overlap day');
  assert.equal((await feedback.listFeedback('acme')).length, 1);
});

test("another tenant's trace id is a 404, exactly like an unknown one, and nothing is stored", async () => {
  for (const traceId of [traceB, 'no-such-trace']) {
    const response = await request(`/v1/traces/${traceId}/feedback`, key.readerA, {
      method: 'POST',
      json: { rating: 'down' },
    });
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /no trace/);
  }
  assert.equal(await feedback.getFeedback('acme', traceB), undefined);
  assert.equal(await feedback.getFeedback('globex', traceB), undefined);
  const candidate = await request(`/v1/feedback/${traceA}/golden-candidate`, key.adminB, { method: 'POST' });
  assert.equal(candidate.status, 404);
});

test('bad feedback input is a 400 naming the field', async () => {
  const cases: [unknown, RegExp][] = [
    [{ rating: 'meh' }, /rating/],
    [{}, /rating/],
    [{ rating: 'up', comment: 5 }, /comment/],
    [{ rating: 'up', stars: 5 }, /stars/],
    [{ rating: 'up', comment: 'x'.repeat(2001) }, /comment/],
  ];
  for (const [json, field] of cases) {
    const response = await request(`/v1/traces/${traceA}/feedback`, key.readerA, { method: 'POST', json });
    assert.equal(response.status, 400, JSON.stringify(json));
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid_input');
    assert.match(body.error.message, field);
  }
  const broken = await request(`/v1/traces/${traceA}/feedback`, key.readerA, {
    method: 'POST',
    body: '{"rating":',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(broken.status, 400);
  const query = await request('/v1/feedback?rating=sideways', key.adminA);
  assert.equal(query.status, 400);
  assert.match(((await query.json()) as { error: { message: string } }).error.message, /rating/);
});

test('listing feedback and making golden candidates need an admin key', async () => {
  assert.equal((await request('/v1/feedback', key.readerA)).status, 403);
  assert.equal((await request('/v1/feedback', key.writerA)).status, 403);
  const candidate = await request(`/v1/feedback/${traceA}/golden-candidate`, key.readerA, { method: 'POST' });
  assert.equal(candidate.status, 403);
});

test('an admin lists thumbs-down with the question and answer, scoped to its tenant', async () => {
  await request(`/v1/traces/${traceB}/feedback`, key.readerB, { method: 'POST', json: { rating: 'up' } });
  const response = await request('/v1/feedback?rating=down', key.adminA);
  assert.equal(response.status, 200);
  const { feedback: listed } = (await response.json()) as {
    feedback: { traceId: string; rating: string; question: string; answer: string; comment?: string }[];
  };
  assert.deepEqual(
    listed.map((entry) => [entry.traceId, entry.rating]),
    [[traceA, 'down']],
  );
  assert.equal(listed[0]?.question, 'How often are API keys rotated?');
  assert.match(listed[0]?.answer ?? '', /ninety days/);
  assert.equal(listed[0]?.comment, 'misses the overlap day');
  const ups = (await (await request('/v1/feedback?rating=up', key.adminA)).json()) as { feedback: unknown[] };
  assert.equal(ups.feedback.length, 0);
  const globex = (await (await request('/v1/feedback', key.adminB)).json()) as {
    feedback: { traceId: string }[];
  };
  assert.deepEqual(
    globex.feedback.map((entry) => entry.traceId),
    [traceB],
  );
});

test('a thumbs-down becomes a golden candidate without the wrong answer as its reference', async () => {
  const response = await request(`/v1/feedback/${traceA}/golden-candidate`, key.adminA, { method: 'POST' });
  assert.equal(response.status, 200, await response.clone().text());
  const { candidate, line } = (await response.json()) as { candidate: Record<string, unknown>; line: string };
  const item = parseGoldenItem(JSON.parse(line), 'line');
  assert.deepEqual(item, candidate);
  assert.equal(item.question, 'How often are API keys rotated?');
  assert.equal(item.reference_answer, '');
  assert.deepEqual(item.relevant_doc_ids, ['uploads/policy.txt']);
  assert.deepEqual(item.tags, ['thumbs-down', 'needs-reference', 'from-trace']);
  assert.equal(item.id, `trace-${traceA.slice(0, 8)}`);

  const written = await request(`/v1/feedback/${traceA}/golden-candidate`, key.adminA, {
    method: 'POST',
    json: { reference: 'Every ninety days, with one day of overlap.', split: 'test' },
  });
  const overridden = ((await written.json()) as { candidate: { reference_answer: string; split: string } })
    .candidate;
  assert.equal(overridden.reference_answer, 'Every ninety days, with one day of overlap.');
  assert.equal(overridden.split, 'test');
  const bad = await request(`/v1/feedback/${traceA}/golden-candidate`, key.adminA, {
    method: 'POST',
    json: { split: 'train' },
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /split/);
});

test('an abstention carries its closest passages, redacted like answers, in JSON and in the stream', async () => {
  const abstained = await askFor(key.readerA, 'Where do key rotation questions go for Zorblax?');
  assert.equal(abstained.abstained, true, JSON.stringify(abstained));
  assert.ok(abstained.closestPassages && abstained.closestPassages.length > 0);
  const [first] = abstained.closestPassages;
  assert.equal(first?.docId, 'uploads/policy.txt');
  assert.match(first?.text ?? '', /go to \[EMAIL\]/);
  assert.doesNotMatch(JSON.stringify(abstained), /keys-desk/);

  const answered = await askFor(key.readerA, 'How often are API keys rotated?');
  assert.equal(answered.abstained, false);
  assert.equal(answered.closestPassages, undefined);

  const streamed = await request('/v1/ask', key.readerA, {
    method: 'POST',
    json: { question: 'Where do key rotation questions go for Zorblax?', stream: true },
  });
  const events = await streamed.text();
  const done = /event: done\ndata: (.*)\n/.exec(events)?.[1];
  assert.ok(done, events);
  const payload = JSON.parse(done) as { abstained: boolean; closestPassages?: { text: string }[] };
  assert.equal(payload.abstained, true);
  assert.match(payload.closestPassages?.[0]?.text ?? '', /\[EMAIL\]/);
});

test('/v1/me names the key, its tenant and role', async () => {
  const response = await request('/v1/me', key.readerB);
  const body = (await response.json()) as { tenant: string; role: string; keyId: string };
  assert.equal(body.tenant, 'globex');
  assert.equal(body.role, 'reader');
  assert.ok(body.keyId);
});
