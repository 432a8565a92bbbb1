import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CairnError } from '../spec/index.ts';
import { documentOf } from './__fixtures__/documents.ts';
import { countTokens } from './count-tokens.ts';
import { createTokenWindowChunker } from './token-window-chunker.ts';

// One token each with a leading space, so window sizes are exact.
const words = (count: number, word: string): string => Array.from({ length: count }, () => word).join(' ');

describe('createTokenWindowChunker', () => {
  test('windows the document text with the configured overlap', () => {
    const document = documentOf('doc', [{ kind: 'paragraph', text: words(50, 'cat'), headingsPath: [] }]);
    const chunks = createTokenWindowChunker({ maxTokens: 20, overlapTokens: 5 }).chunk(document);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.id, chunk.ordinal, chunk.role, chunk.tokenCount]),
      [
        ['doc#0', 0, 'leaf', 20],
        ['doc#1', 1, 'leaf', 20],
        ['doc#2', 2, 'leaf', 20],
      ],
    );
    for (const chunk of chunks) assert.equal(countTokens(chunk.text), chunk.tokenCount);
  });

  test('takes headingsPath and page from the block each window starts in', () => {
    const document = documentOf('doc', [
      { kind: 'heading', level: 1, text: 'Alpha', headingsPath: [], page: 1 },
      { kind: 'paragraph', text: words(30, 'dog'), headingsPath: ['Alpha'], page: 1 },
      { kind: 'heading', level: 2, text: 'Beta', headingsPath: ['Alpha'], page: 2 },
      { kind: 'paragraph', text: words(30, 'sun'), headingsPath: ['Alpha', 'Beta'], page: 3 },
    ]);
    // 'Alpha', '\n\n', 30 words, '\n\n' are 33 tokens, so the fourth 11-token window starts at 'Beta'.
    const chunks = createTokenWindowChunker({ maxTokens: 11, overlapTokens: 0 }).chunk(document);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.text.split(/\s/)[0], chunk.metadata]),
      [
        ['Alpha', { headingsPath: ['Alpha'], page: 1 }],
        ['dog', { headingsPath: ['Alpha'], page: 1 }],
        ['dog', { headingsPath: ['Alpha'], page: 1 }],
        ['Beta', { headingsPath: ['Alpha', 'Beta'], page: 2 }],
        ['sun', { headingsPath: ['Alpha', 'Beta'], page: 3 }],
        ['sun', { headingsPath: ['Alpha', 'Beta'], page: 3 }],
      ],
    );
  });

  test('gives an empty headingsPath and no page when blocks are unknown', () => {
    const document = { ...documentOf('doc', []), text: 'Plain text without blocks.' };
    const [chunk] = createTokenWindowChunker({ maxTokens: 50, overlapTokens: 10 }).chunk(document);
    assert.deepEqual(chunk?.metadata, { headingsPath: [] });
  });

  test('returns no chunks for a document with empty text', () => {
    const chunker = createTokenWindowChunker({ maxTokens: 50, overlapTokens: 10 });
    assert.deepEqual(chunker.chunk(documentOf('doc', [])), []);
  });

  test('rejects an overlap that is not smaller than maxTokens, naming both options', () => {
    assert.throws(
      () => createTokenWindowChunker({ maxTokens: 32, overlapTokens: 32 }),
      (error) =>
        CairnError.is(error, 'invalid_option') &&
        error.message === 'overlapTokens (32) must be smaller than maxTokens (32)',
    );
    assert.throws(
      () => createTokenWindowChunker({ maxTokens: 32, overlapTokens: -1 }),
      (error) =>
        CairnError.is(error, 'invalid_option') &&
        error.message === 'overlapTokens must be a non-negative integer (got -1)',
    );
  });
});
