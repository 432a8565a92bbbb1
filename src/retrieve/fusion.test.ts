import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maximalMarginalRelevance } from './maximal-marginal-relevance.ts';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.ts';
import { minMaxNormalize, weightedFusion } from './weighted-fusion.ts';

const hits = (...ids: string[]) => ids.map((chunkId, index) => ({ chunkId, score: 10 - index }));

test('RRF sums 1/(k + rank) across lists (worked example, k = 60)', () => {
  // a: 1/61 + 1/62 = 0.032522; b: 1/62 + 1/61 = 0.032522; c: 1/63 = 0.015873; d: 1/63.
  const fused = reciprocalRankFusion([hits('a', 'b', 'c'), hits('b', 'a', 'd')]);
  assert.ok(Math.abs((fused[0]?.score ?? 0) - (1 / 61 + 1 / 62)) < 1e-12);
  assert.deepEqual(
    fused
      .slice(0, 2)
      .map((hit) => hit.chunkId)
      .sort(),
    ['a', 'b'],
  );
  assert.deepEqual(
    fused
      .slice(2)
      .map((hit) => hit.chunkId)
      .sort(),
    ['c', 'd'],
  );
});

test('a document found by both retrievers beats one ranked first by only one', () => {
  const fused = reciprocalRankFusion([hits('solo', 'both'), hits('x', 'y', 'both')]);
  assert.equal(fused[0]?.chunkId, 'both');
});

test('weighted fusion min-max normalises each list, then mixes by alpha', () => {
  const sparse = [
    { chunkId: 'a', score: 12 },
    { chunkId: 'b', score: 2 },
  ];
  const dense = [
    { chunkId: 'b', score: 0.9 },
    { chunkId: 'a', score: 0.5 },
  ];
  // alpha 0.5: a = 0.5*1 + 0.5*0 = 0.5; b = 0.5*0 + 0.5*1 = 0.5. alpha 0.8: b wins 0.8 to 0.2.
  const dominantDense = weightedFusion(sparse, dense, { alpha: 0.8 });
  assert.equal(dominantDense[0]?.chunkId, 'b');
  assert.ok(Math.abs((dominantDense[0]?.score ?? 0) - 0.8) < 1e-12);
  assert.deepEqual(minMaxNormalize([{ chunkId: 'x', score: 3 }]), [{ chunkId: 'x', score: 1 }]);
});

test('MMR skips a near-duplicate in favour of a relevant but different chunk', () => {
  const vectors = new Map([
    ['first', Float32Array.from([1, 0])],
    ['duplicate', Float32Array.from([1, 0])],
    ['different', Float32Array.from([0, 1])],
  ]);
  const candidates = [
    { chunkId: 'first', score: 1 },
    { chunkId: 'duplicate', score: 0.95 },
    { chunkId: 'different', score: 0.8 },
  ];
  const diverse = maximalMarginalRelevance(candidates, vectors, { k: 2, lambda: 0.5 });
  assert.deepEqual(
    diverse.map((hit) => hit.chunkId),
    ['first', 'different'],
  );
  const pure = maximalMarginalRelevance(candidates, vectors, { k: 2, lambda: 1 });
  assert.deepEqual(
    pure.map((hit) => hit.chunkId),
    ['first', 'duplicate'],
  );
});
