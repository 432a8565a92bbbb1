import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { CairnError } from '../../spec/index.ts';
import {
  CONFORMANCE_DIMENSIONS,
  makeDocument,
  runStoreConformance,
} from '../conformance/run-store-conformance.ts';
import { openSqliteStore } from './sqlite-store.ts';

const embedder = { embedderId: 'hashing:hash-64', dimensions: CONFORMANCE_DIMENSIONS };
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-store-'));
let counter = 0;

runStoreConformance('sqlite', async () =>
  openSqliteStore({ path: path.join(tempDir, `index-${counter++}.db`), embedder }),
);

test('reopening an index with another embedder is a clear error that says how to re-embed', async () => {
  const file = path.join(tempDir, 'mismatch.db');
  await openSqliteStore({ path: file, embedder }).close();
  assert.throws(
    () => openSqliteStore({ path: file, embedder: { embedderId: 'local:use-lite-512', dimensions: 512 } }),
    (error: unknown) =>
      CairnError.is(error, 'embedder_mismatch') &&
      /built with embedder hashing:hash-64 \(64-d\)/.test(error.message) &&
      /--reembed/.test(error.message),
  );
});

test('reembed switches the embedder and marks stored documents for re-ingest', async () => {
  const file = path.join(tempDir, 'reembed.db');
  const store = openSqliteStore({ path: file, embedder });
  const built = makeDocument('doc', ['some text']);
  await store.upsertDocument({ namespace: 'ns', ...built, embeddings: [new Float32Array(64).fill(0.125)] });
  await store.close();
  const switched = openSqliteStore({
    path: file,
    embedder: { embedderId: 'hashing:hash-32', dimensions: 32 },
    reembed: true,
  });
  assert.equal(switched.info.dimensions, 32);
  assert.equal(await switched.getDocumentHash('ns', 'doc'), 'stale');
  await switched.close();
});

test('data written survives closing and reopening the file', async () => {
  const file = path.join(tempDir, 'persist.db');
  const store = openSqliteStore({ path: file, embedder });
  const built = makeDocument('kept', ['persistent fact about lighthouses']);
  await store.upsertDocument({ namespace: 'ns', ...built, embeddings: [new Float32Array(64).fill(0.125)] });
  await store.close();
  const reopened = openSqliteStore({ path: file, embedder });
  assert.equal((await reopened.searchText('lighthouses', { namespace: 'ns', k: 1 }))[0]?.chunkId, 'kept#0');
  await reopened.close();
});

test('an index written before quarantine existed gains the columns on open and keeps its documents', async () => {
  const file = path.join(tempDir, 'old-schema.db');
  const store = openSqliteStore({ path: file, embedder });
  const built = makeDocument('old', ['written by an older cairn']);
  await store.upsertDocument({ namespace: 'ns', ...built, embeddings: [new Float32Array(64).fill(0.125)] });
  await store.close();
  // Rebuild the documents table in its original shape, as an older release wrote it.
  const db = new Database(file);
  db.exec(`CREATE TABLE old_documents AS SELECT namespace, id, source, title, format, content_hash, metadata,
             chunk_count, ingested_at FROM documents;
           DROP TABLE documents; ALTER TABLE old_documents RENAME TO documents;`);
  db.close();
  const reopened = openSqliteStore({ path: file, embedder });
  const [doc] = await reopened.listDocuments('ns');
  assert.equal(doc?.quarantined, false);
  assert.equal((await reopened.searchText('older', { namespace: 'ns', k: 1 }))[0]?.chunkId, 'old#0');
  await reopened.close();
});
