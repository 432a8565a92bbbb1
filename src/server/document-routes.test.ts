import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { ingestPath } from '../engine/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { createApp } from './create-app.ts';

// Uploads, deletes and document reads against a real index and uploads folder, in-process.
const embedder = createHashingEmbedder({ dimensions: 64 });

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-doc-routes-'));
  const indexPath = path.join(dir, 'index.db');
  const store = openSqliteStore({
    path: indexPath,
    embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
  });
  const traceStore = openSqliteTraces(indexPath);
  const keys = openSqliteApiKeys(indexPath);
  const uploadsDir = path.join(dir, 'uploads');
  const built = createApp({
    store,
    embedder,
    traceStore,
    keys,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir,
  });
  const writer = (await keys.create({ tenant: 'tenantB', role: 'admin' })).key;
  const call = async (pathname: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${writer}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const response = await built.app.request(pathname, {
      ...init,
      headers,
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    return { status: response.status, text: await response.text() };
  };
  const upload = async (documents: { name: string; text: string }[]) => {
    const response = await call('/v1/documents', { method: 'POST', json: { documents } });
    assert.equal(response.status, 202, response.text);
    await built.jobs.idle();
    const { job } = JSON.parse(response.text) as { job: { id: string } };
    return JSON.parse((await call(`/v1/ingest-jobs/${job.id}`)).text) as {
      job: { status: string; summary: { added: number; updated: number; unchanged: number } };
    };
  };
  const listIds = async () =>
    (JSON.parse((await call('/v1/documents')).text) as { documents: { id: string }[] }).documents
      .map((document) => document.id)
      .sort();
  const close = async () => {
    await keys.close();
    await traceStore.close();
    await store.close();
  };
  return {
    dir,
    store,
    uploadsDir,
    tenantDir: path.join(uploadsDir, 'tenantB'),
    call,
    upload,
    listIds,
    close,
  };
}

test('an upload named like a CLI-ingested file does not replace it', async () => {
  const app = await setup();
  const docs = path.join(app.dir, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'index.md'), '# Handbook index\n\nThe handbook covers onboarding.\n');
  await ingestPath({
    store: app.store,
    embedder,
    chunking: DEFAULT_CHUNKING,
    inputPath: docs,
    namespace: 'tenantB',
  });
  const { job } = await app.upload([{ name: 'index.md', text: '# Uploaded index\n\nAn uploaded page.\n' }]);
  assert.equal(job.summary.added, 1);
  assert.equal(job.summary.updated, 0);
  assert.deepEqual(await app.listIds(), ['docs/index.md', 'uploads/index.md']);
  await app.close();
});

test('deleting an upload removes exactly its own file, and the next upload does not bring it back', async () => {
  const app = await setup();
  await app.upload([
    { name: 'dup.md', text: '# Dup markdown\n\nThe markdown twin.\n' },
    { name: 'dup.txt', text: 'The text twin of dup.\n' },
  ]);
  assert.deepEqual(await app.listIds(), ['uploads/dup.md', 'uploads/dup.txt']);

  const deleted = await app.call(`/v1/documents/${encodeURIComponent('uploads/dup.txt')}`, {
    method: 'DELETE',
  });
  assert.equal(deleted.status, 200, deleted.text);
  assert.deepEqual(JSON.parse(deleted.text), { deleted: 'uploads/dup.txt' });
  assert.deepEqual(fs.readdirSync(app.tenantDir).sort(), ['dup.md']);

  await app.upload([{ name: 'other.md', text: '# Other\n\nAnother page.\n' }]);
  assert.deepEqual(await app.listIds(), ['uploads/dup.md', 'uploads/other.md']);

  const missing = await app.call(`/v1/documents/${encodeURIComponent('uploads/dup')}`, { method: 'DELETE' });
  assert.equal(missing.status, 404);
  assert.deepEqual(fs.readdirSync(app.tenantDir).sort(), ['dup.md', 'other.md']);
  await app.close();
});

test('document routes take URL-encoded ids that contain slashes', async () => {
  const app = await setup();
  await app.upload([{ name: 'keys.md', text: '# Keys\n\nRotate API keys every ninety days.\n' }]);
  const id = encodeURIComponent('uploads/keys.md');
  const chunks = await app.call(`/v1/documents/${id}/chunks`);
  assert.equal(chunks.status, 200, chunks.text);
  const body = JSON.parse(chunks.text) as { document: { id: string }; chunks: { id: string }[] };
  assert.equal(body.document.id, 'uploads/keys.md');
  assert.equal(body.chunks[0]?.id, 'uploads/keys.md#0');
  assert.equal((await app.call(`/v1/documents/${id}/hold`, { method: 'POST' })).status, 200);
  assert.equal((await app.call(`/v1/documents/${id}/release`, { method: 'POST' })).status, 200);
  await app.close();
});

test('deleting a document that is not an upload leaves the uploads folder alone', async () => {
  const app = await setup();
  await app.upload([{ name: 'index.md', text: '# Uploaded index\n\nAn uploaded page.\n' }]);
  const docs = path.join(app.dir, 'index');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'index.md'), '# Handbook index\n\nThe handbook covers onboarding.\n');
  await ingestPath({
    store: app.store,
    embedder,
    chunking: DEFAULT_CHUNKING,
    inputPath: docs,
    namespace: 'tenantB',
  });
  const deleted = await app.call(`/v1/documents/${encodeURIComponent('index/index.md')}`, {
    method: 'DELETE',
  });
  assert.equal(deleted.status, 200, deleted.text);
  assert.deepEqual(fs.readdirSync(app.tenantDir), ['index.md']);
  assert.ok(fs.existsSync(path.join(docs, 'index.md')));
  await app.close();
});

test('no API response reveals the server uploads folder', async () => {
  const app = await setup();
  const { job } = await app.upload([
    { name: 'retention.md', text: '# Retention\n\nPrompt logs are kept for 30 days.\n' },
  ]);
  assert.equal(job.status, 'done');
  assert.ok(!JSON.stringify(job).includes(app.dir), JSON.stringify(job));
  const responses = [
    await app.call('/v1/documents'),
    await app.call(`/v1/documents/${encodeURIComponent('uploads/retention.md')}/chunks`),
    await app.call('/v1/search', { method: 'POST', json: { query: 'prompt logs kept' } }),
    await app.call('/v1/ask', { method: 'POST', json: { question: 'How long are prompt logs kept?' } }),
  ];
  for (const response of responses) {
    assert.equal(response.status, 200, response.text);
    assert.ok(!response.text.includes(app.uploadsDir), response.text);
    assert.ok(!response.text.includes(app.dir), response.text);
  }
  await app.close();
});
