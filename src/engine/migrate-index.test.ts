import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { createAnswerCache } from '../cache/index.ts';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { openSqliteAnswerCache, openSqliteStore } from '../store/sqlite/index.ts';
import { migrateDocumentIds } from '../store/sqlite/migrate-document-ids.ts';
import { writeV1Index } from './__fixtures__/write-v1-index.ts';
import { ingestPath } from './ingest-path.ts';

const embedder = createHashingEmbedder({ dimensions: 64 });
const storeOptions = { embedder: { embedderId: 'hashing:hash-64', dimensions: 64 } };

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A workspace of folders ingested by the old code, and the old index file over them. */
async function oldIndex() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-migrate-'));
  const notes = path.join(dir, 'field-notes');
  write(
    path.join(notes, 'retention-2023.md'),
    '---\nsuperseded_by: retention-2025\n---\n# Retention 2023\n\nPrompt logs are kept for ninety days.\n',
  );
  write(path.join(notes, 'retention-2025.md'), '# Retention 2025\n\nPrompt logs are kept for thirty days.\n');
  write(path.join(notes, 'dup.md'), '# Dup\n\nThe markdown twin.\n');
  write(path.join(notes, 'dup.txt'), 'The text twin.\n');
  write(path.join(notes, 'guides', 'keys.md'), '# Keys\n\nRotate signing keys every ninety days.\n');
  const otherNotes = path.join(dir, 'other', 'field-notes');
  write(path.join(otherNotes, 'other.md'), '# Other\n\nFrom another folder of the same name.\n');
  const solo = path.join(dir, 'solo', 'solo.md');
  write(solo, '# Solo\n\nA file ingested on its own.\n');
  const beir = path.join(dir, 'bench');
  write(
    path.join(beir, 'corpus.jsonl'),
    `${JSON.stringify({ _id: 'd1', title: 'One', text: 'First record.' })}\n${JSON.stringify({ _id: 'd2', title: 'Two', text: 'Second record.' })}\n`,
  );
  const uploads = path.join(dir, 'uploads', 'acme');
  write(path.join(uploads, 'note.md'), '# Note\n\nAn uploaded note.\n');
  const indexPath = path.join(dir, 'index.db');
  await writeV1Index(indexPath, {
    embedder,
    chunking: DEFAULT_CHUNKING,
    inputs: [
      { namespace: 'default', inputPath: notes },
      { namespace: 'default', inputPath: otherNotes },
      { namespace: 'default', inputPath: solo },
      { namespace: 'default', inputPath: beir },
      { namespace: 'acme', inputPath: uploads },
    ],
  });
  return { dir, indexPath, notes, otherNotes, solo, beir, uploads };
}

test('an index with the old id scheme is migrated on open, keeps searching and re-ingests as unchanged', async () => {
  const fixture = await oldIndex();
  const before = new Database(fixture.indexPath);
  assert.deepEqual(
    (
      before.prepare(`SELECT id FROM documents WHERE namespace = 'default' ORDER BY id`).all() as {
        id: string;
      }[]
    ).map((row) => row.id),
    ['d1', 'd2', 'dup', 'dup.txt', 'guides/keys', 'other', 'retention-2023', 'retention-2025', 'solo'],
  );
  before.close();
  const cache = createAnswerCache(openSqliteAnswerCache(fixture.indexPath));
  await cache.put({
    namespace: 'default',
    fingerprint: 'f',
    question: 'how long are prompt logs kept',
    value: { answer: 'thirty days' },
    citedVersions: [{ docId: 'retention-2025', contentHash: 'x' }],
  });
  await cache.close();

  const store = openSqliteStore({ path: fixture.indexPath, ...storeOptions });
  const documents = await store.listDocuments('default');
  // BEIR records keep their own ids; every file gets `<collection>/<path with extension>`.
  assert.deepEqual(documents.map((document) => document.id).sort(), [
    'd1',
    'd2',
    'field-notes-2/other.md',
    'field-notes/dup.md',
    'field-notes/dup.txt',
    'field-notes/guides/keys.md',
    'field-notes/retention-2023.md',
    'field-notes/retention-2025.md',
    'solo/solo.md',
  ]);
  for (const document of documents) {
    assert.equal(document.metadata.root, undefined, document.id);
    assert.equal(typeof document.metadata.collection, 'string', document.id);
  }
  const old = documents.find((document) => document.id === 'field-notes/retention-2023.md');
  assert.equal(old?.metadata.superseded_by, 'field-notes/retention-2025.md');
  assert.deepEqual(await store.listCollections('default'), [
    { name: 'bench', root: fixture.beir },
    { name: 'field-notes', root: fixture.notes },
    { name: 'field-notes-2', root: fixture.otherNotes },
    { name: 'solo', root: path.dirname(fixture.solo) },
  ]);
  assert.equal(store.info.schemaVersion, 2);

  const text = await store.searchText('rotate signing keys', { namespace: 'default', k: 3 });
  assert.equal(text[0]?.chunkId, 'field-notes/guides/keys.md#0');
  const [vector] = (await embedder.doEmbed({ values: ['Keys\nRotate signing keys every ninety days.'] }))
    .embeddings;
  const dense = await store.searchVector(vector as Float32Array, { namespace: 'default', k: 1 });
  assert.equal(dense[0]?.chunkId, 'field-notes/guides/keys.md#0');
  const [chunk] = await store.getChunks('default', ['field-notes/guides/keys.md#0']);
  assert.equal(chunk?.docId, 'field-notes/guides/keys.md');

  const again = createAnswerCache(openSqliteAnswerCache(fixture.indexPath));
  assert.equal(
    await again.lookupExact({
      namespace: 'default',
      fingerprint: 'f',
      question: 'how long are prompt logs kept',
    }),
    undefined,
  );
  await again.close();

  const ingest = (inputPath: string, extra: { namespace?: string; collection?: string } = {}) =>
    ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath, ...extra });
  const notes = await ingest(fixture.notes);
  assert.deepEqual([notes.added, notes.updated, notes.unchanged], [0, 0, 5]);
  const other = await ingest(fixture.otherNotes);
  assert.deepEqual([other.added, other.unchanged, other.collection], [0, 1, 'field-notes-2']);
  assert.equal((await ingest(fixture.solo)).unchanged, 1);
  assert.equal((await ingest(fixture.beir)).unchanged, 2);
  assert.equal((await store.listDocuments('default')).length, 9);

  // The server uploads into collection "uploads": a migrated upload folder is renamed, not doubled.
  const uploads = await ingest(fixture.uploads, { namespace: 'acme', collection: 'uploads' });
  assert.deepEqual([uploads.added, uploads.unchanged], [0, 1]);
  assert.deepEqual(
    (await store.listDocuments('acme')).map((document) => document.id),
    ['uploads/note.md'],
  );
  await store.close();
});

test('the migration is idempotent: reopening or running it again changes nothing', async () => {
  const fixture = await oldIndex();
  const first = openSqliteStore({ path: fixture.indexPath, ...storeOptions });
  const ids = (await first.listDocuments('default')).map((document) => document.id);
  await first.close();
  const second = openSqliteStore({ path: fixture.indexPath, ...storeOptions });
  assert.deepEqual(
    (await second.listDocuments('default')).map((document) => document.id),
    ids,
  );
  await second.close();

  const db = new Database(fixture.indexPath);
  sqliteVec.load(db);
  const snapshot = () =>
    db.prepare('SELECT namespace, id, doc_id, parent_id FROM chunks ORDER BY rowid').all();
  const chunksBefore = snapshot();
  assert.equal(db.transaction(() => migrateDocumentIds(db))(), 0);
  assert.deepEqual(snapshot(), chunksBefore);
  assert.equal(
    (db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value,
    '2',
  );
  db.close();
});
