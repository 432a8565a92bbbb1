import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { CairnError } from '../spec/index.ts';
import { startPgliteServer } from '../testing/start-pglite-server.ts';
import { openDomains, openStorage, parseStorageUrl, storageFilePath } from './open-storage.ts';
import { createTestDatabase } from './postgres/__fixtures__/test-database.ts';
import { DOMAIN_MIGRATIONS } from './postgres/pg-migrations-domains.ts';

const embedder = { embedderId: 'hashing:hash-64', dimensions: 64 };
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-open-storage-'));

describe('storage URLs', () => {
  test('a plain path and sqlite:<file> are SQLite index files; postgres URLs are Postgres', () => {
    assert.deepEqual(parseStorageUrl('.cairn/index.db'), { kind: 'sqlite', path: '.cairn/index.db' });
    assert.deepEqual(parseStorageUrl('sqlite:data/index.db'), { kind: 'sqlite', path: 'data/index.db' });
    assert.deepEqual(parseStorageUrl('sqlite:///srv/index.db'), { kind: 'sqlite', path: '/srv/index.db' });
    assert.deepEqual(parseStorageUrl(':memory:'), { kind: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseStorageUrl('C:\\cairn\\index.db'), { kind: 'sqlite', path: 'C:\\cairn\\index.db' });
    for (const url of ['postgres://u@db:5432/cairn', 'postgresql://db/cairn'])
      assert.deepEqual(parseStorageUrl(url), { kind: 'postgres', connectionString: url });
    assert.equal(storageFilePath('sqlite:a.db'), 'a.db');
    assert.equal(storageFilePath('postgres://db/cairn'), undefined);
  });

  test('a bad URL is an invalid_option error naming it and the accepted forms', () => {
    for (const url of ['mysql://db/cairn', 'sqlite:', '', 'postgres://', 'redis://127.0.0.1:6379']) {
      assert.throws(
        () => parseStorageUrl(url),
        (error: unknown) =>
          CairnError.is(error, 'invalid_option') &&
          error.message.includes(`"${url}"`) &&
          error.message.includes('sqlite:<file>') &&
          error.message.includes('postgres://'),
        url,
      );
    }
    assert.throws(
      () => parseStorageUrl('mysql://cairn:hunter2@db/cairn'),
      (error: unknown) => CairnError.is(error, 'invalid_option') && !String(error).includes('hunter2'),
    );
  });
});

describe('openStorage on SQLite', () => {
  test('every domain of one URL lives in the one index file', async () => {
    const file = path.join(tempDir, 'one-file.db');
    const storage = await openStorage(`sqlite:${file}`, { embedder });
    assert.equal(storage.store.info.embedderId, embedder.embedderId);
    const { key } = await storage.apiKeys.create({ tenant: 'acme', role: 'admin' });
    await storage.settings.setSetting('acme', 'abstention', '{"threshold":0.3}');
    await storage.close();

    const tables = new Set(
      (
        await import('better-sqlite3').then(
          ({ default: Database }) =>
            new Database(file, { readonly: true })
              .prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
              .all() as { name: string }[],
        )
      ).map((row) => row.name),
    );
    for (const table of ['documents', 'meta', 'settings', 'api_keys']) assert.ok(tables.has(table), table);

    // The plain path names the same index.
    const again = await openDomains(file);
    assert.equal((await again.apiKeys.verify(key))?.tenant, 'acme');
    assert.equal(await again.settings.getSetting('acme', 'abstention'), '{"threshold":0.3}');
    assert.deepEqual(await again.settings.readEmbedder(), embedder);
    await again.close();
  });

  test('the embedder function sees what the index recorded', async () => {
    const file = path.join(tempDir, 'recorded.db');
    await (await openStorage(file, { embedder })).close();
    let seen: unknown = 'not called';
    const storage = await openStorage(file, {
      embedder: (recorded) => {
        seen = recorded;
        return recorded ?? embedder;
      },
    });
    await storage.close();
    assert.deepEqual(seen, embedder);
  });

  test('opening domains creates no file until one is used', async () => {
    const file = path.join(tempDir, 'untouched', 'index.db');
    const domains = await openDomains(file);
    assert.equal(await domains.settings.readEmbedder(), undefined);
    await domains.close();
    assert.equal(fs.existsSync(file), false);
  });
});

const database = await createTestDatabase();
const databaseUrl = database.url;

describe('openStorage on PostgreSQL', { ...(database.skip ? { skip: database.skip } : {}) }, () => {
  after(() => database.drop());

  test('the domains open from a postgres:// URL, migrations recorded once', async () => {
    const first = await openDomains(databaseUrl);
    await first.apiKeys.create({ tenant: 'acme', role: 'reader' });
    await first.close();
    const second = await openDomains(databaseUrl);
    assert.equal(await second.apiKeys.count(), 1);
    await second.close();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ version: string }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    await client.end();
    // Every migration recorded once, the list being the migrator's own.
    assert.deepEqual(
      rows.map((row) => row.version),
      DOMAIN_MIGRATIONS.map((migration) => migration.version).sort(),
    );
  });

  test('on a server without pgvector, opening the documents names the missing extension', async () => {
    // The machine's PostgreSQL 15 has no pgvector (Debian does not package it for this version).
    await assert.rejects(openStorage(databaseUrl, { embedder }), (error: unknown) =>
      /has no pgvector extension/.test((error as Error).message),
    );
  });

  test('an unreachable server is an error naming the URL without its password', async () => {
    await assert.rejects(
      openDomains('postgres://cairn:secret@127.0.0.1:1/cairn'),
      (error: unknown) =>
        CairnError.is(error, 'invalid_option') &&
        error.message.includes('127.0.0.1:1') &&
        !error.message.includes('secret'),
    );
  });
});

describe('openStorage on Postgres with pgvector (PGlite over the wire)', () => {
  test('documents and every other domain open from one postgres:// URL, in one database', async () => {
    const server = await startPgliteServer();
    try {
      const storage = await openStorage(server.url, { embedder });
      try {
        const vector = new Float32Array(64).fill(0.125);
        await storage.store.upsertDocument({
          document: {
            id: 'guide.md',
            source: 'guide.md',
            title: 'Guide',
            format: 'markdown',
            text: 'Rotate keys every ninety days.',
            blocks: [{ kind: 'paragraph', text: 'Rotate keys every ninety days.', headingsPath: [] }],
            contentHash: 'h1',
            metadata: {},
          },
          namespace: 'acme',
          chunks: [
            {
              id: 'guide.md#0',
              docId: 'guide.md',
              ordinal: 0,
              role: 'leaf',
              text: 'Rotate keys every ninety days.',
              tokenCount: 5,
              metadata: { headingsPath: [] },
            },
          ],
          embeddings: [vector],
        });
        const hits = await storage.store.searchText('rotate keys', { namespace: 'acme', k: 3 });
        assert.deepEqual(
          hits.map((hit) => hit.chunkId),
          ['guide.md#0'],
        );
        await storage.apiKeys.create({ tenant: 'acme', role: 'reader' });
        assert.equal(await storage.apiKeys.count(), 1);
      } finally {
        await storage.close();
      }
    } finally {
      await server.close();
    }
  });
});
