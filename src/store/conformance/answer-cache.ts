import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnswerCacheStore, CacheEntry } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

const entry = (id: string, overrides: Partial<CacheEntry> = {}): CacheEntry => ({
  id,
  namespace: 'acme',
  fingerprint: 'fp',
  questionKey: `key-${id}`,
  question: `question ${id}?`,
  embedding: new Float32Array([0.25, -0.5, 1]),
  value: { answer: `answer ${id}`, citations: [{ docId: 'a.md', n: 1 }], nested: { ok: true, n: null } },
  citedVersions: [{ docId: 'a.md', contentHash: 'h1' }],
  createdAt: 1_000,
  ...overrides,
});
const keep = { expiredAt: 0, maxEntries: 100 };
const scope = { namespace: 'acme', fingerprint: 'fp', expiredAt: 0 };

/** The behaviour every {@link AnswerCacheStore} shares. */
export function runAnswerCacheConformance(options: DomainSuiteOptions<AnswerCacheStore>): void {
  describe(`${options.name} answer cache conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('an entry reads back exactly, its embedding included', testOptions, async () => {
      const cache = await fresh();
      const stored = entry('e1');
      await cache.put(stored, keep);
      assert.deepEqual(await cache.findExact({ ...scope, questionKey: 'key-e1' }), stored);
      assert.deepEqual(await cache.listWithEmbeddings(scope), [stored]);
      assert.equal(await cache.findExact({ ...scope, questionKey: 'other' }), undefined);
    });

    test(
      'the same question replaces its entry; entries without embeddings are not candidates',
      testOptions,
      async () => {
        const cache = await fresh();
        await cache.put(entry('old', { questionKey: 'q' }), keep);
        await cache.put(entry('new', { questionKey: 'q', createdAt: 2_000, embedding: null }), keep);
        assert.equal((await cache.findExact({ ...scope, questionKey: 'q' }))?.id, 'new');
        assert.deepEqual(await cache.listWithEmbeddings(scope), []);
      },
    );

    test('namespaces and fingerprints are isolated', testOptions, async () => {
      const cache = await fresh();
      await cache.put(entry('a', { questionKey: 'q' }), keep);
      await cache.put(entry('b', { questionKey: 'q', namespace: 'globex' }), keep);
      await cache.put(entry('c', { questionKey: 'q', fingerprint: 'other' }), keep);
      assert.equal((await cache.findExact({ ...scope, questionKey: 'q' }))?.id, 'a');
      assert.equal((await cache.findExact({ ...scope, namespace: 'globex', questionKey: 'q' }))?.id, 'b');
      assert.equal((await cache.findExact({ ...scope, fingerprint: 'other', questionKey: 'q' }))?.id, 'c');
      assert.equal(await cache.findExact({ ...scope, namespace: 'initech', questionKey: 'q' }), undefined);
    });

    test('expired entries are never returned and are dropped on the next put', testOptions, async () => {
      const cache = await fresh();
      await cache.put(entry('stale', { createdAt: 1_000 }), keep);
      await cache.put(entry('fresh', { createdAt: 5_000 }), keep);
      assert.equal(
        await cache.findExact({ ...scope, expiredAt: 1_000, questionKey: 'key-stale' }),
        undefined,
      );
      assert.deepEqual(
        (await cache.listWithEmbeddings({ ...scope, expiredAt: 1_000 })).map((row) => row.id),
        ['fresh'],
      );
      await cache.put(entry('newest', { createdAt: 6_000 }), { expiredAt: 1_000, maxEntries: 100 });
      assert.equal(await cache.findExact({ ...scope, questionKey: 'key-stale' }), undefined);
    });

    test('beyond the cap the tenant’s oldest entries go, other tenants untouched', testOptions, async () => {
      const cache = await fresh();
      await cache.put(entry('other', { namespace: 'globex', createdAt: 1 }), keep);
      for (let n = 1; n <= 4; n += 1)
        await cache.put(entry(`e${n}`, { createdAt: n * 100 }), { expiredAt: 0, maxEntries: 2 });
      assert.deepEqual((await cache.listWithEmbeddings(scope)).map((row) => row.id).sort(), ['e3', 'e4']);
      assert.equal((await cache.listWithEmbeddings({ ...scope, namespace: 'globex' })).length, 1);
    });

    test(
      'invalidating a document removes the entries citing it in that namespace only',
      testOptions,
      async () => {
        const cache = await fresh();
        await cache.put(entry('cites-a'), keep);
        await cache.put(entry('cites-b', { citedVersions: [{ docId: 'b.md', contentHash: 'h' }] }), keep);
        await cache.put(entry('globex-a', { namespace: 'globex' }), keep);
        assert.equal(await cache.invalidateDocument('acme', 'a.md'), 1);
        assert.deepEqual(
          (await cache.listWithEmbeddings(scope)).map((row) => row.id),
          ['cites-b'],
        );
        assert.equal((await cache.listWithEmbeddings({ ...scope, namespace: 'globex' })).length, 1);
        await cache.remove('cites-b');
        assert.deepEqual(await cache.listWithEmbeddings(scope), []);
      },
    );
  });
}
