import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Chunk } from '../../spec/index.ts';
import { CONFORMANCE_DIMENSIONS, conformanceEmbedder } from '../conformance/run-store-conformance.ts';
import { openSqliteStore } from './sqlite-store.ts';

const embedder = { embedderId: 'hashing:hash-64', dimensions: CONFORMANCE_DIMENSIONS };

/** A schema-version-1 index holding one parent-child document with the old id and `root`. */
async function versionOneIndex(): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-migrate-store-')), 'index.db');
  const store = openSqliteStore({ path: file, embedder });
  const chunk = (ordinal: number, role: Chunk['role'], text: string, parentId?: string): Chunk => ({
    id: `guide#${ordinal}`,
    docId: 'guide',
    ordinal,
    role,
    ...(parentId ? { parentId } : {}),
    text,
    tokenCount: text.split(' ').length,
    metadata: { headingsPath: [] },
  });
  const chunks = [
    chunk(0, 'parent', 'Rotate keys often. Revoke old keys after a day.'),
    chunk(1, 'child', 'Rotate keys often.', 'guide#0'),
    chunk(2, 'child', 'Revoke old keys after a day.', 'guide#0'),
  ];
  const { embeddings } = await conformanceEmbedder.doEmbed({
    values: [chunks[1]?.text ?? '', chunks[2]?.text ?? ''],
  });
  await store.upsertDocument({
    namespace: 'ns',
    document: {
      id: 'guide',
      source: 'guide.md',
      title: 'Guide',
      format: 'markdown',
      text: chunks[0]?.text ?? '',
      blocks: [],
      contentHash: 'h',
      metadata: { root: '/srv/field guide', team: 'security' },
    },
    chunks,
    embeddings,
  });
  await store.close();
  const db = new Database(file);
  db.exec(`DROP TABLE collections; UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
  db.close();
  return file;
}

test('opening a version 1 index renames documents and chunks, parent links included', async () => {
  const file = await versionOneIndex();
  const store = openSqliteStore({ path: file, embedder });
  const [document] = await store.listDocuments('ns');
  // A folder name that is not a valid collection name is made into one.
  assert.equal(document?.id, 'field-guide/guide.md');
  assert.deepEqual(document?.metadata, { team: 'security', collection: 'field-guide' });
  assert.deepEqual(await store.listCollections('ns'), [{ name: 'field-guide', root: '/srv/field guide' }]);
  const chunks = await store.getChunks('ns', ['field-guide/guide.md#0', 'field-guide/guide.md#2']);
  assert.deepEqual(
    chunks.map((chunk) => [chunk.id, chunk.docId, chunk.parentId]),
    [
      ['field-guide/guide.md#0', 'field-guide/guide.md', undefined],
      ['field-guide/guide.md#2', 'field-guide/guide.md', 'field-guide/guide.md#0'],
    ],
  );
  const hits = await store.searchText('revoke old keys', { namespace: 'ns', k: 1 });
  assert.equal(hits[0]?.chunkId, 'field-guide/guide.md#2');
  await store.close();
});

test('a version 1 index opened read-only is refused with how to migrate it', async () => {
  const file = await versionOneIndex();
  assert.throws(
    () => openSqliteStore({ path: file, embedder, readonly: true }),
    /schema version 1; this cairn reads version 2\. Open it once for writing/,
  );
});
