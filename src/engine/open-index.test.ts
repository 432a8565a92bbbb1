import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { retrieve } from '../retrieve/index.ts';
import { CairnError } from '../spec/index.ts';
import { ask, ingestPath, openIndex } from './index.ts';

// The library's entry points check their options at run time, for callers without the type
// checker: a mistyped value fails with `invalid_option` naming the option, never silently.

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-open-index-'));
}

function invalidOption(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(CairnError.is(error, 'invalid_option'), String(error));
    assert.match(error.message, pattern);
    return true;
  };
}

test('openIndex refuses a missing folder unless createDirectories is set', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'nonexistent', 'dir', 'x.db');
  assert.throws(
    () => openIndex({ indexPath: missing, embedder: 'hashing' }),
    invalidOption(/indexPath: the folder \S+nonexistent\/dir does not exist; .*createDirectories: true/),
  );
  assert.equal(fs.existsSync(path.join(dir, 'nonexistent')), false, 'nothing was created');

  const created = openIndex({ indexPath: missing, embedder: 'hashing', createDirectories: true });
  await created.store.close();
  assert.ok(fs.existsSync(missing));

  // A new file in an existing folder needs no option.
  const plain = openIndex({ indexPath: path.join(dir, 'plain.db'), embedder: 'hashing' });
  await plain.store.close();
});

test('openIndex validates its options like the configuration', () => {
  assert.throws(() => openIndex({ indexPath: '' }), invalidOption(/^openIndex\(\) option indexPath: /));
  assert.throws(
    () => openIndex({ indexPath: ':memory:', endpoint: { threads: 0 } }),
    invalidOption(/option endpoint\.threads: expected number to be >=1, got 0/),
  );
  assert.throws(
    () => openIndex({ indexPath: ':memory:', endpoint: { baseUrl: 'http://x' } as never }),
    invalidOption(/option endpoint\.baseUrl: unknown option/),
  );
});

test('ask, retrieve and ingestPath reject mistyped options, naming each one', async () => {
  const dir = tempDir();
  const embedder = createHashingEmbedder();
  const { store } = openIndex({ indexPath: path.join(dir, 'index.db'), embedder: 'hashing' });
  const answerer = createExtractiveAnswerer({ embedder });
  try {
    await assert.rejects(
      ask({
        store,
        embedder,
        answerer,
        question: 'what is k?',
        retrieval: { mode: 'hybird' as never },
      }),
      invalidOption(/^ask\(\) option retrieval\.mode: expected one of hybrid\|bm25\|dense, got "hybird"$/),
    );
    await assert.rejects(
      ask({
        store,
        embedder,
        answerer,
        question: 'what is k?',
        retrieval: { k: 0, fusion: { method: 'weighted', alpha: 2 }, topK: 3 } as never,
      }),
      invalidOption(
        /retrieval\.k: expected number to be >=1, got 0; .*retrieval\.fusion\.alpha: expected number to be <=1, got 2; .*retrieval\.topK: unknown option/,
      ),
    );
    await assert.rejects(
      retrieve({ store, embedder, query: 'k', mode: 'sparse' as never }),
      invalidOption(/^retrieve\(\) option mode: expected one of hybrid\|bm25\|dense, got "sparse"$/),
    );
    await assert.rejects(
      retrieve({ store, embedder, query: 'k', fusion: { method: 'borda' } as never }),
      invalidOption(/^retrieve\(\) option fusion\.method: expected one of rrf\|weighted, got "borda"$/),
    );
    await assert.rejects(
      ingestPath({
        store,
        embedder,
        chunking: { ...DEFAULT_CHUNKING, strategy: 'semantic' as never },
        inputPath: dir,
      }),
      invalidOption(
        /^ingestPath\(\) option chunking\.strategy: expected one of structure\|token-window\|parent-child, got "semantic"$/,
      ),
    );
    await assert.rejects(
      ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: dir, maxFileBytes: -1 }),
      invalidOption(/option maxFileBytes: expected number to be >=1, got -1/),
    );

    // Valid options still work, including values only the library allows (k beyond the config's 100).
    const output = await retrieve({ store, embedder, query: 'k', k: 300, candidates: 300 });
    assert.deepEqual(output.results, []);
  } finally {
    await store.close();
  }
});
