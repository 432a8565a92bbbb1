import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serve } from '@hono/node-server';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import { createOpenAICompatibleChat } from '../generate/providers/index.ts';
import type { Store, TraceStore } from '../spec/index.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { startMockLlmServer } from '../testing/mock-llm-server.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';
import type { ServerLogEntry } from './server-log.ts';

// Failure paths of the API: broken uploads, unexpected errors, failing streams, /metrics access and
// repeated wrong keys. In-process through app.request(), except where a real socket is the point.
const embedder = createHashingEmbedder({ dimensions: 64 });
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let reader = '';
let writer = '';
let admin = '';
let operator = '';

/** An app over the shared store and keys, logging into `logged`, with the given changes. */
function appWith(overrides: Partial<Parameters<typeof createApp>[0]> = {}) {
  const logged: ServerLogEntry[] = [];
  const built = createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 2 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-hardening-uploads-')),
    logger: (entry) => logged.push(entry),
    ...overrides,
  });
  return { ...built, logged };
}

function bearer(key: string, headers: Record<string, string> = {}) {
  return { authorization: `Bearer ${key}`, ...headers };
}

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-hardening-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-64', dimensions: 64 } });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  reader = (await keys.create({ tenant: 'acme', role: 'reader' })).key;
  writer = (await keys.create({ tenant: 'acme', role: 'writer' })).key;
  admin = (await keys.create({ tenant: 'acme', role: 'admin' })).key;
  operator = (await keys.create({ tenant: 'ops', role: 'operator' })).key;
});

after(async () => {
  await keys.close();
  await traces.close();
  await store.close();
});

const part =
  '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="note.md"\r\n' +
  'Content-Type: text/markdown\r\n\r\n# Note\n\nKeys rotate every ninety days.\n\r\n--XYZ--\r\n';

test('a multipart upload without a boundary is a 400 that names the problem', async () => {
  const { app, logged } = appWith();
  const response = await app.request('/v1/documents', {
    method: 'POST',
    headers: bearer(writer, { 'content-type': 'multipart/form-data' }),
    body: part,
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'invalid_input');
  assert.match(body.error.message, /multipart body has no boundary in Content-Type/);
  assert.deepEqual(logged, [], 'a client mistake is not logged as a server error');
});

test('a truncated multipart upload is a 400 that says how to fix it; a complete one is accepted', async () => {
  const { app, jobs } = appWith();
  const send = (body: string) =>
    app.request('/v1/documents', {
      method: 'POST',
      headers: bearer(writer, { 'content-type': 'multipart/form-data; boundary=XYZ' }),
      body,
    });
  for (const cut of [part.slice(0, 70), part.slice(0, -9), '']) {
    const response = await send(cut);
    assert.equal(response.status, 400, cut);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'invalid_input');
    assert.match(
      error.message,
      /^multipart body is truncated or malformed: .+; send a complete multipart\/form-data body$/,
    );
  }
  const complete = await send(part);
  assert.equal(complete.status, 202, await complete.clone().text());
  await jobs.idle();
});

test('an unexpected error is a 500 carrying a request id, logged once as a structured line', async () => {
  const broken = new Proxy(store, {
    get: (target, name, receiver) =>
      name === 'listDocuments'
        ? () => Promise.reject(new Error('disk on fire'))
        : Reflect.get(target, name, receiver),
  });
  const { app, logged } = appWith({ store: broken });
  const response = await app.request('/v1/documents', { headers: bearer(reader) });
  assert.equal(response.status, 500);
  const requestId = response.headers.get('x-request-id');
  assert.ok(requestId);
  const body = (await response.json()) as { error: { code: string; message: string }; requestId: string };
  assert.equal(body.error.code, 'internal');
  assert.doesNotMatch(body.error.message, /disk on fire/, 'details stay out of the response');
  assert.equal(body.requestId, requestId);
  assert.equal(logged.length, 1);
  const [entry] = logged;
  assert.equal(entry?.requestId, requestId);
  assert.equal(entry?.method, 'GET');
  assert.equal(entry?.route, '/v1/documents');
  assert.equal(entry?.status, 500);
  assert.equal(entry?.error.message, 'disk on fire');
  assert.match(entry?.error.stack ?? '', /disk on fire\n\s+at /);
  assert.ok(!Number.isNaN(Date.parse(entry?.time ?? '')));
});

test('without an injected logger, a 500 is written to stderr as one JSON line', async () => {
  const broken = new Proxy(store, {
    get: (target, name, receiver) =>
      name === 'listDocuments'
        ? () => Promise.reject(new Error('disk on fire'))
        : Reflect.get(target, name, receiver),
  });
  const { app } = createApp({
    store: broken,
    embedder,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder }),
    retrieval: { k: 2 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-hardening-uploads-')),
  });
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let response: Response;
  try {
    response = await app.request('/v1/documents', { headers: bearer(reader, { 'x-request-id': 'req-42' }) });
  } finally {
    process.stderr.write = write;
  }
  assert.equal(response.status, 500);
  assert.equal(written.length, 1);
  const line = JSON.parse(written[0] ?? '') as ServerLogEntry;
  assert.equal(line.requestId, 'req-42');
  assert.equal(line.error.message, 'disk on fire');
});

test('every response carries x-request-id; a sane incoming id is kept, anything else replaced', async () => {
  const { app } = appWith();
  const health = await app.request('/healthz', { headers: { 'x-request-id': 'lb-7f3a_91=x' } });
  assert.equal(health.headers.get('x-request-id'), 'lb-7f3a_91=x');
  for (const unsafe of ['has space', 'a'.repeat(300), 'new\u00e9line', '']) {
    const response = await app.request('/healthz', { headers: { 'x-request-id': unsafe } });
    const id = response.headers.get('x-request-id') ?? '';
    assert.notEqual(id, unsafe);
    assert.match(id, /^[0-9a-f-]{36}$/);
  }
  const unauthorized = await app.request('/v1/documents');
  assert.equal(unauthorized.status, 401);
  const unauthorizedBody = (await unauthorized.json()) as { requestId: string };
  assert.equal(unauthorizedBody.requestId, unauthorized.headers.get('x-request-id'));
  const missing = await app.request('/nowhere', { method: 'POST', headers: { 'x-request-id': 'r-1' } });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('x-request-id'), 'r-1');
  assert.equal(((await missing.json()) as { requestId: string }).requestId, 'r-1');
});

test('a provider failure mid-stream ends a streamed chat completion with an error chunk and [DONE], logged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-hardening-chat-'));
  const indexPath = path.join(dir, 'index.db');
  const chatStore = openSqliteStore({
    path: indexPath,
    embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
  });
  const chatKeys = openSqliteApiKeys(indexPath);
  const mock = await startMockLlmServer();
  try {
    // Cut well past the redaction hold-back (64 characters), so some of the text has been sent.
    mock.setDefault({
      text: 'The constant k is usually sixty [1] in practice, and most libraries keep that default because it works on very different lists.',
      cutAfterChunks: 20,
    });
    const { app, logged } = appWith({
      store: chatStore,
      keys: chatKeys,
      answerer: createLlmAnswerer({
        model: createOpenAICompatibleChat({ baseURL: mock.url, modelId: 'mock' }),
      }),
    });
    const key = (await chatKeys.create({ tenant: 'acme', role: 'writer' })).key;
    const uploaded = await app.request('/v1/documents', {
      method: 'POST',
      headers: bearer(key, { 'content-type': 'application/json' }),
      body: JSON.stringify({ documents: [{ name: 'rrf.md', text: '# RRF\n\nThe constant k is 60.\n' }] }),
    });
    assert.equal(uploaded.status, 202);
    const response = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: bearer(key, { 'content-type': 'application/json', 'x-request-id': 'chat-1' }),
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'What is k in RRF?' }] }),
    });
    assert.equal(response.status, 200);
    const events = (await response.text())
      .split('\n\n')
      .map((block) => /^data: (.*)$/m.exec(block)?.[1])
      .filter((data): data is string => data !== undefined);
    assert.equal(events.at(-1), '[DONE]');
    const failure = JSON.parse(events.at(-2) ?? '{}') as {
      error?: { message: string; type: string; code: string };
      requestId?: string;
    };
    assert.equal(failure.error?.type, 'server_error');
    assert.equal(failure.error?.code, 'api_call_failed');
    assert.ok(failure.error?.message);
    assert.equal(failure.requestId, 'chat-1');
    assert.ok(
      events.slice(0, -2).some((data) => data.includes('The ')),
      'the text streamed before the failure came first',
    );
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.requestId, 'chat-1');
    assert.equal(logged[0]?.route, '/v1/chat/completions');
    assert.equal(logged[0]?.error.code, 'api_call_failed');

    // The SSE path of /v1/ask reports the same failure with the same request id.
    const asked = await app.request('/v1/ask', {
      method: 'POST',
      headers: bearer(key, { 'content-type': 'application/json', 'x-request-id': 'ask-1' }),
      body: JSON.stringify({ question: 'What is k in RRF?', stream: true }),
    });
    const error = /event: error\ndata: (.*)/.exec(await asked.text())?.[1];
    assert.deepEqual(JSON.parse(error ?? '{}').requestId, 'ask-1');
    assert.equal(logged[1]?.requestId, 'ask-1');
    assert.equal(logged[1]?.route, '/v1/ask');
  } finally {
    await mock.close();
    await chatKeys.close();
    await chatStore.close();
  }
});

test("/metrics needs an operator key, not a tenant admin's; a Prometheus bearer token works", async () => {
  const { app } = appWith();
  assert.equal((await app.request('/metrics')).status, 401);
  for (const key of [reader, writer, admin])
    assert.equal((await app.request('/metrics', { headers: bearer(key) })).status, 403);
  const scraped = await app.request('/metrics', { headers: bearer(operator) });
  assert.equal(scraped.status, 200);
  assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(
    await scraped.text(),
    /cairn_http_requests_total\{route="\/metrics",method="GET",status="401"\} 1/,
  );
});

test('wrong keys are limited per client address; good keys and other addresses are not', async () => {
  let address = '203.0.113.5';
  const { app } = appWith({ clientAddress: () => address });
  const as = (key: string) => app.request('/v1/documents', { headers: bearer(key) });
  for (let i = 0; i < 20; i++) assert.equal((await as(reader)).status, 200, 'good keys cost nothing');
  for (let i = 0; i < 10; i++) assert.equal((await as(`cairn_wrong_${i}`)).status, 401);
  const limited = await as('cairn_wrong_again');
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  const { error } = (await limited.json()) as { error: { code: string; message: string } };
  assert.equal(error.code, 'rate_limited');
  assert.match(error.message, /too many failed authentications from 203\.0\.113\.5; retry in \d+ s/);
  assert.equal((await as(reader)).status, 429, 'while limited, no key is checked from that address');
  address = '198.51.100.9';
  assert.equal((await as(reader)).status, 200, 'another address has its own budget');
  assert.equal((await as('cairn_wrong_elsewhere')).status, 401);
});

test('over a real socket, the limit follows the peer address and ignores X-Forwarded-For unless told', async () => {
  const listen = async (overrides: Partial<Parameters<typeof createApp>[0]>) => {
    const { app } = appWith(overrides);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    return {
      get: (key: string, forwardedFor: string) =>
        fetch(`http://127.0.0.1:${port}/v1/documents`, {
          headers: bearer(key, { 'x-forwarded-for': forwardedFor }),
        }),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  };
  const direct = await listen({});
  try {
    for (let i = 0; i < 10; i++) assert.equal((await direct.get('cairn_wrong', `10.0.0.${i}`)).status, 401);
    const limited = await direct.get('cairn_wrong', '10.0.0.99');
    assert.equal(limited.status, 429, 'a forged X-Forwarded-For does not buy a fresh budget');
    assert.match(await limited.text(), /from 127\.0\.0\.1/);
  } finally {
    await direct.close();
  }
  const proxied = await listen({ trustProxy: true });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await proxied.get('cairn_wrong', '192.0.2.1')).status, 401);
    assert.equal((await proxied.get('cairn_wrong', '192.0.2.1')).status, 429);
    assert.equal((await proxied.get('cairn_wrong', '192.0.2.2')).status, 401, 'behind a trusted proxy');
  } finally {
    await proxied.close();
  }
});
