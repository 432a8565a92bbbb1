import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, mrrAtK, ndcgAtK, recallAtK } from './retrieval-metrics.ts';

// Worked by hand. Ranking d1..d5; judgements d2 = 2, d4 = 1, d9 = 1 (d9 never retrieved), d5 = 0.
const ranking = ['d1', 'd2', 'd3', 'd4', 'd5'];
const judgements = new Map([
  ['d2', 2],
  ['d4', 1],
  ['d9', 1],
  ['d5', 0],
]);

test('nDCG@10 uses linear gains and the ideal order of all relevant docs', () => {
  // DCG  = 2/log2(3) + 1/log2(5)            = 1.261860 + 0.430677 = 1.692537
  // IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.630930 + 0.5   = 3.130930
  assert.ok(Math.abs(ndcgAtK(ranking, judgements, 10) - 1.692537 / 3.13093) < 1e-6);
});

test('nDCG@k cuts the ranking at k', () => {
  // Only d1, d2 count: DCG = 1.261860; the ideal is cut at 2 too: 2 + 0.630930.
  assert.ok(Math.abs(ndcgAtK(ranking, judgements, 2) - 1.26186 / 2.63093) < 1e-6);
});

test('recall counts relevant docs found over all relevant docs, ignoring grade-0 judgements', () => {
  assert.equal(recallAtK(ranking, judgements, 10), 2 / 3);
  assert.equal(recallAtK(ranking, judgements, 3), 1 / 3);
  assert.equal(recallAtK(ranking, judgements, 1), 0);
});

test('MRR@k is the reciprocal rank of the first relevant doc within k', () => {
  assert.equal(mrrAtK(ranking, judgements, 10), 1 / 2);
  assert.equal(mrrAtK(ranking, judgements, 1), 0);
});

test('average precision divides by all relevant docs, retrieved or not', () => {
  // Relevant at ranks 2 and 4: (1/2 + 2/4) / 3 = 1/3.
  assert.ok(Math.abs(averagePrecision(ranking, judgements) - 1 / 3) < 1e-12);
});

test('a query with no relevant docs scores 0 rather than NaN', () => {
  const none = new Map([['d1', 0]]);
  assert.equal(ndcgAtK(ranking, none, 10), 0);
  assert.equal(recallAtK(ranking, none, 10), 0);
  assert.equal(averagePrecision(ranking, none), 0);
});
