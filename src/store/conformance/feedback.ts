import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FeedbackStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

/** The behaviour every {@link FeedbackStore} shares. */
export function runFeedbackConformance(options: DomainSuiteOptions<FeedbackStore>): void {
  describe(`${options.name} feedback conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('one entry per trace and namespace, the latest verdict winning', testOptions, async () => {
      const store = await fresh();
      await store.saveFeedback({
        traceId: 't1',
        namespace: 'a',
        rating: 'up',
        createdAt: '2026-12-01T00:00:00Z',
      });
      await store.saveFeedback({
        traceId: 't1',
        namespace: 'a',
        rating: 'down',
        comment: 'wrong "value", ünïcode',
        keyId: 'k1',
        createdAt: '2026-12-02T00:00:00Z',
      });
      await store.saveFeedback({
        traceId: 't1',
        namespace: 'b',
        rating: 'up',
        createdAt: '2026-12-04T00:00:00Z',
      });
      assert.deepEqual(await store.getFeedback('a', 't1'), {
        traceId: 't1',
        namespace: 'a',
        rating: 'down',
        comment: 'wrong "value", ünïcode',
        keyId: 'k1',
        createdAt: '2026-12-02T00:00:00Z',
      });
      assert.equal((await store.getFeedback('b', 't1'))?.rating, 'up');
      assert.equal(await store.getFeedback('c', 't1'), undefined);
    });

    test(
      'listed newest first, per namespace, optionally of one rating, up to a limit',
      testOptions,
      async () => {
        const store = await fresh();
        await store.saveFeedback({
          traceId: 't1',
          namespace: 'a',
          rating: 'down',
          createdAt: '2026-12-02T00:00:00Z',
        });
        await store.saveFeedback({
          traceId: 't2',
          namespace: 'a',
          rating: 'up',
          createdAt: '2026-12-03T00:00:00Z',
        });
        await store.saveFeedback({
          traceId: 't3',
          namespace: 'b',
          rating: 'up',
          createdAt: '2026-12-05T00:00:00Z',
        });
        assert.deepEqual(
          (await store.listFeedback('a')).map((entry) => entry.traceId),
          ['t2', 't1'],
        );
        assert.deepEqual(
          (await store.listFeedback('a', { rating: 'down' })).map((entry) => entry.traceId),
          ['t1'],
        );
        assert.equal((await store.listFeedback('a', { limit: 1 })).length, 1);
      },
    );
  });
}
