import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embedMany } from './embed-many.ts';
import { createHashingEmbedder } from './hashing-embedder.ts';
import { dot } from './normalize-vector.ts';

test('hashing embedder is deterministic, unit-length, and ranks word overlap higher', async () => {
  const model = createHashingEmbedder({ dimensions: 128 });
  const { embeddings } = await embedMany(model, [
    'rotate the api keys',
    'rotate the api keys',
    'banana bread recipe',
    'api key rotation',
  ]);
  const [a, b, c, d] = embeddings as [Float32Array, Float32Array, Float32Array, Float32Array];
  assert.deepEqual(a, b);
  assert.ok(Math.abs(dot(a, a) - 1) < 1e-5);
  assert.ok(dot(a, d) > dot(a, c));
});

test('embedMany splits input into calls of at most maxEmbeddingsPerCall and keeps order', async () => {
  const base = createHashingEmbedder({ dimensions: 16 });
  const calls: number[] = [];
  const model = {
    ...base,
    maxEmbeddingsPerCall: 3,
    doEmbed: async (options: { values: string[] }) => {
      calls.push(options.values.length);
      return base.doEmbed(options);
    },
  };
  const values = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const { embeddings } = await embedMany(model, values);
  assert.deepEqual(calls, [3, 3, 1]);
  const single = await embedMany(base, ['e']);
  assert.deepEqual(embeddings[4], single.embeddings[0]);
});
