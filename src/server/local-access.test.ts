import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import {
  openSqliteApiKeys,
  openSqliteAudit,
  openSqliteStore,
  openSqliteTraces,
} from '../store/sqlite/index.ts';
import { createApp, LOCAL_KEY_ID } from './create-app.ts';
import {
  createLocalToken,
  type LocalServerAccess,
  localAccessFile,
  readLocalAccess,
  writeLocalAccess,
} from './local-access.ts';

// The token `cairn serve` leaves for `cairn ask` on the same machine: where the server accepts
// it (in-process, the TCP peer given as the node server would), and the file it is kept in.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-local-access-'));
const indexPath = path.join(dir, 'index.db');

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

test('the local token answers /v1/ask from loopback only, as admin of its tenant, and nothing else', async () => {
  const embedder = createHashingEmbedder({ dimensions: 64 });
  const audit = openSqliteAudit(indexPath);
  const token = createLocalToken();
  const { app } = createApp({
    store: openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-64', dimensions: 64 } }),
    embedder,
    traceStore: openSqliteTraces(indexPath),
    keys: openSqliteApiKeys(indexPath),
    auditLog: audit,
    answerer: createExtractiveAnswerer({ embedder }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    localToken: { token, tenant: 'acme' },
  });
  const send = (
    pathname: string,
    peer: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    app.request(
      pathname,
      {
        method: init.method ?? 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      },
      { incoming: { socket: { remoteAddress: peer } } },
    );
  const question = { question: 'What is the retention period?', includeQuarantined: true };

  for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
    const response = await send('/v1/ask', peer, { body: question });
    assert.equal(response.status, 200, `${peer}: ${await response.text()}`);
  }
  const [entry] = await audit.list('acme', 1);
  assert.equal(entry?.keyId, LOCAL_KEY_ID, 'the answer is recorded under the local key, in its tenant');

  const refused = [
    await send('/v1/ask', '10.0.0.7', { body: question }),
    await send('/v1/ask', '127.0.0.1', { body: question, headers: { 'x-forwarded-for': '203.0.113.9' } }),
    await send('/v1/documents', '127.0.0.1', { method: 'GET' }),
    await send('/v1/search', '127.0.0.1', { body: { query: 'retention' } }),
  ];
  assert.deepEqual(
    refused.map((response) => response.status),
    [401, 401, 401, 401],
    'another machine, a proxied request and every other route are refused',
  );
});

test('the access file is private to its user, names its index, and is ignored once its process is gone', () => {
  const access: LocalServerAccess = {
    pid: process.pid,
    url: 'http://127.0.0.1:1',
    token: createLocalToken(),
    tenant: 'default',
    index: path.resolve(indexPath),
    fingerprint: 'abc',
  };
  // A crashed server's file, readable by everyone, is replaced by a private one.
  fs.writeFileSync(localAccessFile(indexPath), '{}', { mode: 0o644 });
  const written = writeLocalAccess(access);
  assert.equal(fs.statSync(localAccessFile(indexPath)).mode & 0o777, 0o600);
  assert.deepEqual(readLocalAccess(indexPath), access);
  assert.equal(readLocalAccess(path.join(dir, 'other.db')), undefined, 'another index has no server');

  fs.chmodSync(localAccessFile(indexPath), 0o644);
  assert.equal(readLocalAccess(indexPath), undefined, 'a file others can read is not trusted');
  fs.chmodSync(localAccessFile(indexPath), 0o600);

  writeLocalAccess({ ...access, pid: deadPid() });
  assert.equal(readLocalAccess(indexPath), undefined, 'a file whose server is gone is ignored');
  written.remove();
  assert.ok(fs.existsSync(localAccessFile(indexPath)), "removal leaves another server's file alone");

  writeLocalAccess(access).remove();
  assert.equal(fs.existsSync(localAccessFile(indexPath)), false);
});
