import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { Store } from '../spec/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { ingestPath } from './ingest-path.ts';

const embedder = createHashingEmbedder({ dimensions: 64 });

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-collections-'));
}

function openStore(): Store {
  return openSqliteStore({ path: ':memory:', embedder: { embedderId: 'hashing:hash-64', dimensions: 64 } });
}

function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
}

const ingest = (store: Store, inputPath: string, extra: { collection?: string; prune?: boolean } = {}) =>
  ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath, ...extra });

test('two ingest roots with the same file names keep both documents', async () => {
  const dir = tempDir();
  write(path.join(dir, 'a'), { 'README.md': '# A\n\nAlpha readme about apples.\n' });
  write(path.join(dir, 'b'), { 'README.md': '# B\n\nBeta readme about bananas.\n' });
  const store = openStore();
  assert.equal((await ingest(store, path.join(dir, 'a'))).added, 1);
  const second = await ingest(store, path.join(dir, 'b'));
  assert.equal(second.added, 1);
  assert.equal(second.updated, 0);
  const ids = (await store.listDocuments('default')).map((document) => document.id).sort();
  assert.deepEqual(ids, ['a/README.md', 'b/README.md']);
  await store.close();
});

test('ids keep the extension, so a sibling with the same stem neither shifts nor replaces them', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'notes');
  write(root, {
    'dup.md': '# Dup\n\nMarkdown version.\n',
    'guides/rotate-keys.md': '# Rotate\n\nRotate keys.\n',
  });
  const store = openStore();
  await ingest(store, root);
  write(root, { 'dup.txt': 'Text version of dup.\n' });
  const summary = await ingest(store, root);
  assert.equal(summary.added, 1);
  assert.equal(summary.unchanged, 2);
  const ids = (await store.listDocuments('default')).map((document) => document.id).sort();
  assert.deepEqual(ids, ['notes/dup.md', 'notes/dup.txt', 'notes/guides/rotate-keys.md']);
  const [chunk] = await store.getChunks('default', ['notes/guides/rotate-keys.md#0']);
  assert.equal(chunk?.docId, 'notes/guides/rotate-keys.md');
  await store.close();
});

test('a single file is ingested into its folder collection, with the same id as a folder ingest', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'handbook');
  write(root, { 'a.md': '# A\n\nAlpha.\n', 'b.md': '# B\n\nBeta.\n' });
  const store = openStore();
  assert.equal((await ingest(store, path.join(root, 'a.md'))).added, 1);
  assert.deepEqual(
    (await store.listDocuments('default')).map((document) => document.id),
    ['handbook/a.md'],
  );
  const folder = await ingest(store, root, { prune: true });
  assert.deepEqual([folder.added, folder.unchanged], [1, 1]);
  // Pruning after a single-file ingest touches only that file, not its siblings.
  const single = await ingest(store, path.join(root, 'a.md'), { prune: true });
  assert.equal(single.pruned, 0);
  assert.equal((await store.listDocuments('default')).length, 2);
  await store.close();
});

test('document metadata names the collection and the relative source, never an absolute path', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'field-notes');
  write(root, { 'policies/retention.md': '# Retention\n\nLogs are kept 30 days.\n' });
  const store = openStore();
  await ingest(store, root);
  const [document] = await store.listDocuments('default');
  assert.equal(document?.id, 'field-notes/policies/retention.md');
  assert.equal(document?.source, 'policies/retention.md');
  assert.equal(document?.metadata.collection, 'field-notes');
  assert.ok(!JSON.stringify(document).includes(dir), JSON.stringify(document));
  await store.close();
});

test('a second root under a bound collection name is refused unless --collection says what it is', async () => {
  const dir = tempDir();
  const first = path.join(dir, 'one', 'docs');
  const second = path.join(dir, 'two', 'docs');
  write(first, { 'index.md': '# One\n\nFirst index.\n', 'only-one.md': '# Only\n\nOnly in one.\n' });
  write(second, { 'index.md': '# One\n\nFirst index.\n' });
  const store = openStore();
  await ingest(store, first);
  await assert.rejects(ingest(store, second), (error: Error) => {
    assert.match(error.message, /collection "docs" already holds .*one\/docs; pass --collection OTHER/);
    assert.match(error.message, /or --collection docs to declare this the same collection moved/);
    return true;
  });
  assert.equal((await store.listDocuments('default')).length, 2);

  // The same name given explicitly declares the folder moved: same ids, unchanged content.
  const moved = await ingest(store, second, { collection: 'docs', prune: true });
  assert.deepEqual([moved.added, moved.unchanged, moved.pruned], [0, 1, 1]);
  assert.deepEqual(
    (await store.listDocuments('default')).map((document) => document.id),
    ['docs/index.md'],
  );

  const third = path.join(dir, 'three', 'docs');
  write(third, { 'index.md': '# Three\n\nThird index.\n' });
  await assert.rejects(ingest(store, third), /collection "docs" already holds .*two\/docs/);
  const kept = await ingest(store, third, { collection: 'docs-three' });
  assert.equal(kept.added, 1);
  const ids = (await store.listDocuments('default')).map((document) => document.id).sort();
  assert.deepEqual(ids, ['docs-three/index.md', 'docs/index.md']);
  await store.close();
});

test('re-ingesting a root without --collection reuses the collection it was bound to', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'docs');
  write(root, { 'a.md': '# A\n\nAlpha.\n' });
  const store = openStore();
  await ingest(store, root, { collection: 'handbook' });
  const again = await ingest(store, root);
  assert.equal(again.unchanged, 1);
  assert.deepEqual(
    (await store.listDocuments('default')).map((document) => document.id),
    ['handbook/a.md'],
  );
  await store.close();
});

test('collection names are validated, naming the flag', async () => {
  const dir = tempDir();
  write(path.join(dir, 'ok'), { 'a.md': '# A\n\nAlpha.\n' });
  const store = openStore();
  for (const bad of ['a b', '../up', 'x/y', '.', '']) {
    await assert.rejects(ingest(store, path.join(dir, 'ok'), { collection: bad }), /--collection/);
  }
  write(path.join(dir, 'My Docs'), { 'a.md': '# A\n\nAlpha.\n' });
  await assert.rejects(ingest(store, path.join(dir, 'My Docs')), /"My Docs".*--collection NAME/);
  await store.close();
});

test('prune removes only missing documents of the collection being ingested', async () => {
  const dir = tempDir();
  write(path.join(dir, 'a'), { 'keep.md': '# K\n\nKeep.\n', 'gone.md': '# G\n\nGone.\n' });
  write(path.join(dir, 'b'), { 'gone.md': '# G\n\nOther gone.\n' });
  const store = openStore();
  await ingest(store, path.join(dir, 'a'));
  await ingest(store, path.join(dir, 'b'));
  fs.rmSync(path.join(dir, 'a', 'gone.md'));
  const summary = await ingest(store, path.join(dir, 'a'), { prune: true });
  assert.equal(summary.pruned, 1);
  const ids = (await store.listDocuments('default')).map((document) => document.id).sort();
  assert.deepEqual(ids, ['a/keep.md', 'b/gone.md']);
  await store.close();
});

test('superseded_by resolves within the collection, with or without an extension', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'policies');
  write(root, {
    'retention-2023.md': '---\nsuperseded_by: retention-2025\n---\n# Old\n\nNinety days.\n',
    'retention-2024.md': '---\nsuperseded_by: retention-2025.md\n---\n# Mid\n\nSixty days.\n',
    'retention-2025.md': '# New\n\nThirty days.\n',
  });
  const store = openStore();
  await ingest(store, root);
  const documents = await store.listDocuments('default');
  const byId = new Map(documents.map((document) => [document.id, document]));
  assert.equal(byId.get('policies/retention-2023.md')?.metadata.superseded_by, 'policies/retention-2025.md');
  assert.equal(byId.get('policies/retention-2024.md')?.metadata.superseded_by, 'policies/retention-2025.md');
  await store.close();
});

test('naming a known root after another collection renames its documents instead of doubling them', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'docs');
  write(root, { 'a.md': '# A\n\nAlpha.\n', 'b.md': '---\nsuperseded_by: a\n---\n# B\n\nBeta.\n' });
  const store = openStore();
  await ingest(store, root);
  const renamed = await ingest(store, root, { collection: 'handbook' });
  assert.deepEqual([renamed.added, renamed.unchanged], [0, 2]);
  const documents = await store.listDocuments('default');
  assert.deepEqual(documents.map((document) => document.id).sort(), ['handbook/a.md', 'handbook/b.md']);
  assert.equal(documents.find((d) => d.id === 'handbook/b.md')?.metadata.superseded_by, 'handbook/a.md');
  assert.equal((await store.getChunks('default', ['handbook/a.md#0']))[0]?.docId, 'handbook/a.md');
  assert.deepEqual(await store.listCollections('default'), [{ name: 'handbook', root }]);
  await store.close();
});
