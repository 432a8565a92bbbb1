import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embedMany } from './embed-many.ts';
import { createLocalEmbedder } from './local-embedder.ts';
import { dot } from './normalize-vector.ts';

test('the bundled USE-lite model loads offline and captures meaning beyond shared words', async () => {
  const model = createLocalEmbedder();
  const { embeddings } = await embedMany(model, [
    'How do I change my password?',
    'Steps to reset your login credentials',
    'The recipe needs two cups of flour',
  ]);
  const [question, paraphrase, unrelated] = embeddings as [Float32Array, Float32Array, Float32Array];
  assert.equal(question.length, 512);
  assert.ok(Math.abs(dot(question, question) - 1) < 1e-4);
  assert.ok(dot(question, paraphrase) > dot(question, unrelated) + 0.1);
});

test('a pool of two worker threads, one started early by warm(), returns the same vectors as the in-process model', async () => {
  const texts = ['alpha particles', 'beta decay in nuclei', 'gamma rays', 'a sentence about lunch'];
  const single = await embedMany(createLocalEmbedder({ inProcess: true }), texts);
  const pooled = createLocalEmbedder({ threads: 2 });
  pooled.warm();
  try {
    const parallel = await embedMany(pooled, texts);
    texts.forEach((_, index) => {
      assert.ok(
        dot(single.embeddings[index] as Float32Array, parallel.embeddings[index] as Float32Array) > 0.9999,
      );
    });
  } finally {
    await pooled.close();
  }
});
