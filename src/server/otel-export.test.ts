import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { Store, Trace, TraceStore } from '../spec/index.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../testing/otlp-receiver.ts';
import { createOtlpTraceExporter, type OtlpTraceExporter } from '../trace/otlp-trace-exporter.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';

// The API in-process (app.request()) exporting to a local OTLP collector: answers, searches and
// upload jobs are exported, and a caller's traceparent header joins its trace.
const embedder = createHashingEmbedder({ dimensions: 256 });
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
let receiver: OtlpReceiver;
let exporter: OtlpTraceExporter;
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let built: ReturnType<typeof createApp>;
let writer = '';

function post(pathname: string, json: unknown, headers: Record<string, string> = {}) {
  return built.app.request(pathname, {
    method: 'POST',
    headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  });
}

/** Sends what is queued and returns the spans of one trace. */
async function exportedSpans(traceId: string): Promise<ReceivedSpan[]> {
  await exporter.flush();
  return receiver.spans.filter((span) => span.traceId === traceId);
}

before(async () => {
  receiver = await startOtlpReceiver();
  exporter = createOtlpTraceExporter({ url: receiver.url, protocol: 'http/json' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-server-otel-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  built = createApp({
    store,
    embedder,
    traceStore: traces,
    traceExporter: exporter,
    keys,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
  });
  writer = (await keys.create({ tenant: 'acme', role: 'writer' })).key;
});

after(async () => {
  await exporter.shutdown();
  await receiver.close();
  await keys.close();
  await traces.close();
  await store.close();
});

test('an upload job exports its ingest trace', async () => {
  const response = await post('/v1/documents', {
    documents: [
      { name: 'fusion.md', text: '# Fusion\n\nReciprocal rank fusion uses the constant k = 60.\n' },
    ],
  });
  assert.equal(response.status, 202, await response.clone().text());
  await built.jobs.idle();
  await exporter.flush();
  const root = receiver.spans.find((span) => span.name === 'cairn.ingest');
  assert.equal(root?.attributes['cairn.namespace'], 'acme');
  assert.equal(root?.attributes['cairn.added'], 1);
  const children = receiver.spans
    .filter((span) => span.parentSpanId === root?.spanId)
    .map((span) => span.name);
  assert.deepEqual(children.sort(), ['cairn.ingest.load', 'cairn.ingest.write', 'embeddings hash-256']);
});

test('/v1/ask with a traceparent continues the caller trace, exported and stored under its id', async () => {
  const response = await post(
    '/v1/ask',
    { question: 'What constant does reciprocal rank fusion use?' },
    { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
  );
  assert.equal(response.status, 200);
  const answer = (await response.json()) as { traceId: string };
  assert.equal(answer.traceId, CALLER_TRACE);
  const spans = await exportedSpans(CALLER_TRACE);
  const root = spans.find((span) => span.name === 'cairn.ask');
  assert.equal(root?.parentSpanId, CALLER_SPAN);
  assert.ok(spans.some((span) => span.name === 'chat extractive' && span.parentSpanId === root?.spanId));
  assert.ok(spans.some((span) => span.name === 'retrieval acme'));
  // The UI and `cairn trace` read the same trace by the caller's id.
  const stored = await built.app.request(`/v1/traces/${CALLER_TRACE}`, {
    headers: { authorization: `Bearer ${writer}` },
  });
  assert.equal(stored.status, 200);
  assert.equal(((await stored.json()) as { trace: Trace }).trace.spans.length, spans.length);
});

test('an invalid traceparent is ignored: the answer gets a trace of its own', async () => {
  const response = await post(
    '/v1/ask',
    { question: 'What constant does reciprocal rank fusion use?' },
    { traceparent: `00-${CALLER_TRACE.toUpperCase()}-${CALLER_SPAN}-01` },
  );
  const { traceId } = (await response.json()) as { traceId: string };
  assert.match(traceId, /^[0-9a-f]{32}$/);
  assert.notEqual(traceId, CALLER_TRACE);
  const root = (await exportedSpans(traceId)).find((span) => span.name === 'cairn.ask');
  assert.equal(root?.parentSpanId, '');
});

test('/v1/search exports a retrieval trace, joined to the caller', async () => {
  const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
  const response = await post(
    '/v1/search',
    { query: 'fusion constant', k: 2 },
    {
      traceparent: `00-${traceId}-${CALLER_SPAN}-01`,
    },
  );
  assert.equal(response.status, 200);
  const spans = await exportedSpans(traceId);
  const root = spans.find((span) => span.name === 'retrieval acme');
  assert.equal(root?.parentSpanId, CALLER_SPAN);
  assert.equal(root?.attributes['gen_ai.request.top_k'], 2);
  assert.ok(spans.some((span) => span.name === 'cairn.retrieve.bm25' && span.parentSpanId === root?.spanId));
});

test('a trace stored before W3C ids (a UUID id) is still served', async () => {
  const legacy: Trace = {
    traceId: '8d3c1b8e-2f0a-4c55-9a77-0a1b2c3d4e5f',
    namespace: 'acme',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 5,
    label: 'old',
    spans: [
      {
        spanId: '1f2e3d4c-5b6a-47',
        parentSpanId: null,
        name: 'cairn.ask',
        startMs: 0,
        durationMs: 5,
        status: 'ok',
        attributes: {},
      },
    ],
  };
  await traces.saveTrace(legacy);
  const response = await built.app.request(`/v1/traces/${legacy.traceId}`, {
    headers: { authorization: `Bearer ${writer}` },
  });
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { trace: Trace }).trace.spans[0]?.spanId, '1f2e3d4c-5b6a-47');
});
