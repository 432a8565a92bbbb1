import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmbeddingModel } from '../spec/index.ts';
import { createBatchingEmbedder } from './batching-embedder.ts';
import { createHashingEmbedder } from './hashing-embedder.ts';

/** A hashing embedder that records its batch sizes and answers after a tick, like a busy model. */
function recording(): EmbeddingModel & { calls: number[] } {
  const inner = createHashingEmbedder({ dimensions: 32 });
  const calls: number[] = [];
  return {
    ...inner,
    calls,
    async doEmbed(options) {
      calls.push(options.values.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return inner.doEmbed(options);
    },
  };
}

test('concurrent single-text calls are coalesced and each gets its own vectors back', async () => {
  const inner = recording();
  const batching = createBatchingEmbedder(inner, { maxBatch: 8 });
  const texts = Array.from({ length: 20 }, (_, index) => `question number ${index}`);
  const results = await Promise.all(texts.map((text) => batching.doEmbed({ values: [text] })));
  const direct = await createHashingEmbedder({ dimensions: 32 }).doEmbed({ values: texts });
  results.forEach((result, index) => {
    assert.deepEqual(result.embeddings[0], direct.embeddings[index]);
  });
  // The first call starts alone; the rest wait and go in batches of at most 8.
  assert.deepEqual(inner.calls, [1, 8, 8, 3]);
});

test('large calls bypass the queue, failures reach every caller of the batch, aborted callers are dropped', async () => {
  const inner = recording();
  const batching = createBatchingEmbedder(inner, { maxBatch: 4 });
  await batching.doEmbed({ values: ['a', 'b', 'c', 'd', 'e'] });
  assert.deepEqual(inner.calls, [5]);

  const failing = createBatchingEmbedder({
    ...inner,
    doEmbed: () => Promise.reject(new Error('model crashed')),
  });
  const outcomes = await Promise.allSettled([
    failing.doEmbed({ values: ['x'] }),
    failing.doEmbed({ values: ['y'] }),
  ]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message),
    ['model crashed', 'model crashed'],
  );

  const controller = new AbortController();
  const first = batching.doEmbed({ values: ['busy'] });
  const cancelled = batching.doEmbed({ values: ['cancel me'], abortSignal: controller.signal });
  controller.abort();
  await first;
  await assert.rejects(cancelled, /cancelled/);
});
