import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { EmbeddingModel, Store } from '../spec/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { ingestPath } from './ingest-path.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ingest-pipelining-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeCorpus(name: string, documents: number): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < documents; i++)
    fs.writeFileSync(
      path.join(folder, `doc-${String(i).padStart(2, '0')}.md`),
      `# Doc ${i}\n\nBody of document ${i}.\n`,
    );
  return folder;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The hashing embedder, slowed down, noting when each call starts and ends. */
function timedEmbedder(log: string[], failOnCall?: number): EmbeddingModel {
  const inner = createHashingEmbedder({ dimensions: 256 });
  let calls = 0;
  return {
    ...inner,
    async doEmbed(options) {
      const call = ++calls;
      log.push(`embed ${call} start`);
      await pause(30);
      if (call === failOnCall) throw new Error(`embedding call ${call} failed`);
      options.abortSignal?.throwIfAborted();
      const result = await inner.doEmbed(options);
      log.push(`embed ${call} end`);
      return result;
    },
  };
}

/** A real SQLite store whose writes take a while, noting each written document. */
function slowStore(name: string, log: string[]): Store {
  const store = openSqliteStore({
    path: path.join(dir, `${name}.db`),
    embedder: { embedderId: 'hashing:hash-256', dimensions: 256 },
  });
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'upsertDocument') {
        const value = Reflect.get(target, property, receiver);
        // The store keeps private fields: its methods run on the store itself.
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (input: Parameters<Store['upsertDocument']>[0]) => {
        await pause(10);
        await target.upsertDocument(input);
        log.push(`write ${input.document.id}`);
      };
    },
  });
}

test('the next batch is embedded while the one before is written, and writes keep load order', async () => {
  const log: string[] = [];
  const store = slowStore('overlap', log);
  const summary = await ingestPath({
    store,
    embedder: timedEmbedder(log),
    chunking: DEFAULT_CHUNKING,
    inputPath: writeCorpus('overlap', 6),
    embedBatchSize: 2,
  });
  assert.equal(summary.added, 6);
  const writes = log.filter((line) => line.startsWith('write'));
  assert.deepEqual(writes, [...writes].sort(), 'documents are written in the order they were loaded');
  const secondStarts = log.indexOf('embed 2 start');
  const firstBatchWritten = log.lastIndexOf(writes[1] as string);
  assert.ok(secondStarts !== -1 && secondStarts < firstBatchWritten, `batches overlap: ${log.join(', ')}`);
  await store.close();
});

test('a batch whose embedding fails fails the ingest; the next batch is cancelled and nothing is written after', async () => {
  const log: string[] = [];
  const store = slowStore('failure', log);
  await assert.rejects(
    ingestPath({
      store,
      embedder: timedEmbedder(log, 2),
      chunking: DEFAULT_CHUNKING,
      inputPath: writeCorpus('failure', 8),
      embedBatchSize: 2,
    }),
    /embedding call 2 failed/,
  );
  const writtenWhenRejected = log.length;
  await pause(200);
  assert.equal(
    log.length,
    writtenWhenRejected,
    `no work goes on after the ingest has failed: ${log.join(', ')}`,
  );
  const stored = await store.listDocuments('default');
  assert.ok(stored.length <= 2, `only the batch before the failure can be stored, got ${stored.length}`);
  await store.close();
});
