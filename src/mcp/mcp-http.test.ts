import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { ingestPath } from '../engine/ingest-path.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { ApiKeyStore } from '../server/api-keys.ts';
import type { AuditLog } from '../server/audit-log.ts';
import { createApp } from '../server/create-app.ts';
import type { Store, TraceStore } from '../spec/index.ts';
import {
  openSqliteApiKeys,
  openSqliteAudit,
  openSqliteStore,
  openSqliteTraces,
} from '../store/sqlite/index.ts';

// `/mcp` on a real `cairn serve` app listening on a loopback port, driven by the SDK's own
// Streamable HTTP client.
const embedder = createHashingEmbedder({ dimensions: 256 });
let dir = '';
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let audit: AuditLog;
let server: ReturnType<typeof serve>;
let base = '';
let acmeKey = '';
let globexKey = '';
const clients: Client[] = [];

async function connect(key: string | undefined): Promise<Client> {
  const client = new Client({ name: 'cairn-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} },
    }),
  );
  clients.push(client);
  return client;
}

function structured(result: Awaited<ReturnType<Client['callTool']>>) {
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  return result.structuredContent as Record<string, unknown>;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-mcp-http-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  audit = openSqliteAudit(indexPath);
  for (const [tenant, text] of [
    [
      'acme',
      '# Retention\n\nAudit logs are kept for 400 days. Contact privacy-team@acme.example for exports.\n',
    ],
    ['globex', '# Launch\n\nThe Globex rocket launches from pad 39 in October.\n'],
  ] as const) {
    const docs = path.join(dir, tenant);
    fs.mkdirSync(docs);
    fs.writeFileSync(path.join(docs, 'notes.md'), text);
    await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docs, namespace: tenant });
  }
  acmeKey = (await keys.create({ tenant: 'acme', role: 'reader' })).key;
  globexKey = (await keys.create({ tenant: 'globex', role: 'reader' })).key;
  const { app } = createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    auditLog: audit,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    limits: { rateLimit: { capacity: 1000, refillPerSecond: 1000 } },
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await new Promise((resolve) => server?.close(resolve));
  await audit?.close();
  await keys?.close();
  await traces?.close();
  await store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('an API key opens a session; every tool answers from the key’s tenant, redacted and audited', async () => {
  const client = await connect(acmeKey);
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), ['ask', 'fetch', 'list_documents', 'search']);

  const found = structured(
    await client.callTool({ name: 'search', arguments: { query: 'audit logs kept' } }),
  );
  const [top] = found.results as { id: string; url: string; text: string }[];
  assert.match(top?.text ?? '', /400 days/);
  assert.doesNotMatch(top?.text ?? '', /privacy-team@acme\.example/);
  assert.ok(top?.url.startsWith(`${base}/v1/documents/`), top?.url);

  // The link in a result is a working API address for the passage.
  const linked = await fetch(top?.url ?? '', { headers: { authorization: `Bearer ${acmeKey}` } });
  const linkedBody = (await linked.json()) as { chunks: { id: string }[] };
  assert.deepEqual(
    linkedBody.chunks.map((chunk) => chunk.id),
    [top?.id],
  );

  const fetched = structured(await client.callTool({ name: 'fetch', arguments: { id: top?.id } }));
  assert.equal(fetched.id, top?.id);
  const answered = structured(
    await client.callTool({ name: 'ask', arguments: { question: 'How long are audit logs kept?' } }),
  );
  assert.match(String(answered.answer), /400 days/);
  const listed = structured(await client.callTool({ name: 'list_documents', arguments: {} }));
  assert.equal(listed.total, 1);

  const routes = (await audit.list('acme', 50)).map((entry) => entry.route);
  assert.ok(routes.includes('mcp-search') && routes.includes('mcp-ask'), routes.join(','));
});

test('without a key, or with a revoked one, the session is refused', async () => {
  await assert.rejects(connect(undefined), /401|missing API key/);
  const revoked = await keys.create({ tenant: 'acme', role: 'reader' });
  await keys.revoke('acme', revoked.record.id);
  await assert.rejects(connect(revoked.key), /401|unknown or revoked/);
});

test("another tenant's ids are not found, and bad arguments come back as tool errors", async () => {
  const globex = await connect(globexKey);
  const [acmeDocument] = await store.listDocuments('acme');
  const foreign = await globex.callTool({ name: 'fetch', arguments: { id: acmeDocument?.id } });
  assert.equal(foreign.isError, true);
  const searched = structured(
    await globex.callTool({ name: 'search', arguments: { query: 'audit logs kept 400 days' } }),
  );
  assert.doesNotMatch(JSON.stringify(searched), /400 days/);
  const bad = await globex.callTool({ name: 'ask', arguments: { question: 42 } });
  assert.equal(bad.isError, true);
});

test('a session id used with another tenant’s key is refused', async () => {
  const client = await connect(acmeKey);
  const transport = client.transport as StreamableHTTPClientTransport;
  const sessionId = transport.sessionId ?? '';
  assert.ok(sessionId);
  const hijack = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${globexKey}`,
      'mcp-session-id': sessionId,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
  });
  assert.equal(hijack.status, 403);
});

test('a foreign Host or Origin is refused before any key is looked at (DNS rebinding)', async () => {
  const initialize = (headers: Record<string, string>) =>
    fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${acmeKey}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
  const evilOrigin = await initialize({ origin: 'http://rebind.example' });
  assert.equal(evilOrigin.status, 403);
  assert.match(await evilOrigin.text(), /server\.mcpAllowedOrigins/);
  const localOrigin = await initialize({ origin: 'http://localhost:5173' });
  assert.equal(localOrigin.status, 200);

  // fetch may not set Host; a raw request can, as a rebinding page's browser would.
  const status = await new Promise<number>((resolve, reject) => {
    const request = http.request(`${base}/mcp`, {
      method: 'POST',
      headers: { host: `rebind.example:${new URL(base).port}`, authorization: `Bearer ${acmeKey}` },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end('{}');
  });
  assert.equal(status, 403);
});
