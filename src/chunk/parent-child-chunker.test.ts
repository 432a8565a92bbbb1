import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CairnError } from '../spec/index.ts';
import { createRandom, documentOf, randomDocument } from './__fixtures__/documents.ts';
import { countTokens } from './count-tokens.ts';
import { createParentChildChunker } from './parent-child-chunker.ts';

const withoutSpace = (text: string): string => text.replace(/\s+/g, '');
const SIZES: [parent: number, child: number][] = [
  [256, 96],
  [128, 32],
  [64, 63],
  [40, 8],
];

describe('createParentChildChunker', () => {
  test('emits each parent followed by its children, numbered in one sequence', () => {
    const sentences = Array.from(
      { length: 12 },
      (_, i) => `Sentence ${i} is about the treatment of patients.`,
    );
    const document = documentOf('doc', [
      { kind: 'heading', level: 1, text: 'Study', headingsPath: [] },
      { kind: 'paragraph', text: sentences.slice(0, 6).join(' '), headingsPath: ['Study'], page: 2 },
      { kind: 'paragraph', text: sentences.slice(6).join(' '), headingsPath: ['Study'], page: 3 },
    ]);
    const chunks = createParentChildChunker({ parentMaxTokens: 70, childMaxTokens: 25 }).chunk(document);
    assert.deepEqual(
      chunks.map((chunk) => chunk.ordinal),
      chunks.map((_, i) => i),
    );
    assert.equal(chunks[0]?.role, 'parent');
    assert.equal(chunks[0]?.parentId, undefined);
    assert.equal(chunks[1]?.role, 'child');
    assert.equal(chunks[1]?.parentId, 'doc#0');
    for (const chunk of chunks) {
      assert.deepEqual(chunk.metadata.headingsPath, ['Study']);
      assert.ok(chunk.metadata.page === 2 || chunk.metadata.page === 3);
    }
    const lastParent = chunks.filter((chunk) => chunk.role === 'parent').at(-1);
    assert.equal(lastParent?.metadata.page, 3);
  });

  test('on random documents: children point to earlier parents, lie inside them and cover them', () => {
    const random = createRandom(5);
    for (let d = 0; d < 50; d++) {
      const document = randomDocument(random, `doc${d}`, { plain: d % 2 === 0, paged: true });
      const [parentMaxTokens, childMaxTokens] = SIZES[d % 4]!;
      const chunks = createParentChildChunker({ parentMaxTokens, childMaxTokens }).chunk(document);
      const parents = new Map(
        chunks.filter((chunk) => chunk.role === 'parent').map((chunk) => [chunk.id, chunk]),
      );
      const childrenOf = new Map<string, string[]>();
      for (const chunk of chunks) {
        assert.equal(chunk.tokenCount, countTokens(chunk.text));
        if (chunk.role === 'parent') {
          assert.ok(chunk.tokenCount <= parentMaxTokens);
          continue;
        }
        assert.equal(chunk.role, 'child');
        assert.ok(chunk.tokenCount <= childMaxTokens);
        const parent = parents.get(chunk.parentId ?? '');
        assert.ok(parent !== undefined, `${chunk.id} points to a parent`);
        assert.ok(parent.ordinal < chunk.ordinal);
        assert.ok(parent.text.includes(chunk.text), `${chunk.id} lies inside ${parent.id}`);
        assert.deepEqual(chunk.metadata.headingsPath, parent.metadata.headingsPath);
        childrenOf.set(parent.id, [...(childrenOf.get(parent.id) ?? []), chunk.text]);
      }
      for (const parent of parents.values()) {
        assert.equal(withoutSpace((childrenOf.get(parent.id) ?? []).join('')), withoutSpace(parent.text));
      }
    }
  });

  test('returns no chunks for a document with empty text', () => {
    const chunker = createParentChildChunker({ parentMaxTokens: 100, childMaxTokens: 20 });
    assert.deepEqual(chunker.chunk(documentOf('doc', [])), []);
  });

  test('rejects a child size that is not smaller than the parent size, naming both options', () => {
    assert.throws(
      () => createParentChildChunker({ parentMaxTokens: 50, childMaxTokens: 50 }),
      (error) =>
        CairnError.is(error, 'invalid_option') &&
        error.message === 'childMaxTokens (50) must be smaller than parentMaxTokens (50)',
    );
    assert.throws(
      () => createParentChildChunker({ parentMaxTokens: 50, childMaxTokens: 0 }),
      (error) => CairnError.is(error, 'invalid_option') && error.message.startsWith('childMaxTokens must be'),
    );
  });
});
