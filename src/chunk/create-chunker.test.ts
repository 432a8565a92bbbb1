import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CairnError } from '../spec/index.ts';
import { abstractDocument, createRandom, randomDocument } from './__fixtures__/documents.ts';
import { countTokens } from './count-tokens.ts';
import { type ChunkingConfig, createChunker, DEFAULT_CHUNKING } from './create-chunker.ts';

const STRATEGIES: ChunkingConfig['strategy'][] = ['token-window', 'structure', 'parent-child'];

describe('createChunker', () => {
  test('builds the chunker the strategy names, structure by default', () => {
    assert.equal(createChunker().name, 'structure');
    assert.deepEqual(DEFAULT_CHUNKING, {
      strategy: 'structure',
      maxTokens: 256,
      overlapTokens: 32,
      childMaxTokens: 96,
    });
    for (const strategy of STRATEGIES)
      assert.equal(createChunker({ ...DEFAULT_CHUNKING, strategy }).name, strategy);
  });

  test('rejects invalid numbers with an invalid_option error naming the option', () => {
    const cases: [Partial<ChunkingConfig>, RegExp][] = [
      [{ maxTokens: 0 }, /^maxTokens must be an integer of at least 4 \(got 0\)$/],
      [{ maxTokens: 3 }, /^maxTokens must be an integer of at least 4 \(got 3\)$/],
      [{ maxTokens: 12.5 }, /^maxTokens must be an integer/],
      [{ maxTokens: Number.NaN }, /^maxTokens must be an integer/],
      [{ maxTokens: '256' as unknown as number }, /^maxTokens must be an integer/],
      [{ overlapTokens: -4 }, /^overlapTokens must be a non-negative integer/],
      [{ childMaxTokens: 0 }, /^childMaxTokens must be an integer of at least 4/],
      [
        { strategy: 'token-window', maxTokens: 64, overlapTokens: 64 },
        /^overlapTokens \(64\) must be smaller than maxTokens \(64\)$/,
      ],
      [
        { strategy: 'parent-child', maxTokens: 64, childMaxTokens: 96 },
        /^childMaxTokens \(96\) must be smaller than maxTokens \(64\)$/,
      ],
      [
        { strategy: 'sentence' as ChunkingConfig['strategy'] },
        /^strategy must be one of token-window, structure, parent-child/,
      ],
    ];
    for (const [override, message] of cases) {
      assert.throws(
        () => createChunker({ ...DEFAULT_CHUNKING, ...override }),
        (error) => CairnError.is(error, 'invalid_option') && message.test(error.message),
        JSON.stringify(override),
      );
    }
  });

  test('checks the relation between sizes only for the strategy that uses both', () => {
    assert.equal(
      createChunker({ ...DEFAULT_CHUNKING, strategy: 'structure', maxTokens: 64 }).name,
      'structure',
    );
    assert.equal(
      createChunker({ ...DEFAULT_CHUNKING, strategy: 'parent-child', overlapTokens: 999 }).name,
      'parent-child',
    );
  });

  test('every strategy keeps chunks within maxTokens with exact counts, ids and metadata, on random documents', () => {
    const random = createRandom(2024);
    for (let d = 0; d < 45; d++) {
      const document = randomDocument(random, `doc-${d}`, { paged: d % 3 === 0 });
      const strategy = STRATEGIES[d % 3]!;
      const maxTokens = 8 + Math.floor(random() * 300);
      const config: ChunkingConfig = {
        strategy,
        maxTokens,
        overlapTokens: Math.floor(random() * maxTokens),
        childMaxTokens: 4 + Math.floor(random() * (maxTokens - 4)),
      };
      const chunks = createChunker(config).chunk(document);
      assert.ok(chunks.length > 0);
      for (const [ordinal, chunk] of chunks.entries()) {
        const limit = chunk.role === 'child' ? config.childMaxTokens : maxTokens;
        const label = `${strategy} ${chunk.id} (${chunk.tokenCount} tokens, limit ${limit})`;
        assert.equal(chunk.id, `${document.id}#${ordinal}`, label);
        assert.equal(chunk.ordinal, ordinal, label);
        assert.equal(chunk.docId, document.id, label);
        assert.ok(chunk.text.length > 0 && chunk.text === chunk.text.trim(), label);
        assert.equal(chunk.tokenCount, countTokens(chunk.text), label);
        assert.ok(chunk.tokenCount <= limit, label);
        assert.ok(Array.isArray(chunk.metadata.headingsPath), label);
        assert.equal(chunk.metadata.page !== undefined, d % 3 === 0, label);
        assert.equal(chunk.role === 'child', chunk.parentId !== undefined, label);
      }
    }
  });

  test('chunks 5,000 abstracts of ~300 words with every strategy', () => {
    const random = createRandom(99);
    const documents = Array.from({ length: 5000 }, (_, i) => abstractDocument(random, `abs${i}`));
    for (const strategy of STRATEGIES) {
      const chunker = createChunker({ ...DEFAULT_CHUNKING, strategy });
      let chunkCount = 0;
      for (const document of documents) chunkCount += chunker.chunk(document).length;
      assert.ok(chunkCount >= documents.length);
    }
  });
});
