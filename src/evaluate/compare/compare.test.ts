import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeItem, makeRun } from './__fixtures__/make-run.ts';
import { aggregateMetrics, bootstrapInterval } from './aggregate-metrics.ts';
import { compareRuns, signFlipPValue } from './compare-runs.ts';
import { evaluateFailOn, parseFailOn } from './fail-on.ts';
import { formatComparison } from './format-comparison.ts';

test('unmeasured items are counted apart, never as zeros', () => {
  const aggregates = aggregateMetrics([
    makeItem('a', { faithfulness: 1 }),
    makeItem('b', { faithfulness: null }),
    makeItem('c', { faithfulness: 0.5 }),
  ]);
  assert.deepEqual(
    {
      mean: aggregates.faithfulness?.mean,
      n: aggregates.faithfulness?.n,
      unmeasured: aggregates.faithfulness?.unmeasured,
    },
    { mean: 0.75, n: 2, unmeasured: 1 },
  );
  assert.equal(aggregates.conflict_handling?.mean, null);
  const unpriced = aggregateMetrics([makeItem('a', { cost_usd: 0.01 }), makeItem('b', { cost_usd: null })]);
  assert.equal(unpriced.cost_usd?.mean, null);
});

test('the bootstrap interval contains the mean and narrows with more data', () => {
  const small = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const large = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const [lowSmall, highSmall] = bootstrapInterval(small, 1, 2000);
  const [lowLarge, highLarge] = bootstrapInterval(large, 1, 2000);
  assert.ok(lowSmall <= 0.5 && 0.5 <= highSmall);
  assert.ok(highLarge - lowLarge < (highSmall - lowSmall) / 3);
});

test('sign-flip p-value, worked by hand', () => {
  // Differences [1,1,1,1,1]: of the 2^5 = 32 sign patterns only all-plus and all-minus reach
  // |sum| >= 5, so p = 2/32 = 0.0625.
  assert.equal(signFlipPValue([1, 1, 1, 1, 1]), 0.0625);
  // Zeros carry no information and are dropped; [2, -2] can be flipped to any pattern: p = 1.
  assert.equal(signFlipPValue([0, 2, -2, 0]), 1);
});

test('a consistent regression is flagged, flipped items are listed, and --fail-on fails the build', () => {
  const ids = Array.from({ length: 12 }, (_, i) => `q${i}`);
  const baseline = makeRun(
    'a',
    ids.map((id) => makeItem(id, { faithfulness: 1, abstention_accuracy: 1 })),
  );
  const candidate = makeRun(
    'b',
    ids.map((id, i) =>
      makeItem(id, { faithfulness: i < 8 ? 0.25 : 1, abstention_accuracy: i === 0 ? 0 : 1 }),
    ),
  );
  const comparison = compareRuns(baseline, candidate);
  const faithfulness = comparison.metrics.find((entry) => entry.metric === 'faithfulness');
  assert.equal(faithfulness?.verdict, 'regressed');
  assert.ok(Math.abs((faithfulness?.delta ?? 0) + 0.5) < 1e-12);
  assert.ok((faithfulness?.pValue ?? 1) < 0.05);
  assert.ok(
    comparison.flippedItems.some((item) => item.id === 'q0' && item.metric === 'abstention_accuracy'),
  );
  const gate = evaluateFailOn(comparison, parseFailOn('faithfulness<-0.02, conflict_handling<-0.1'));
  assert.equal(gate.failed, true);
  assert.match(gate.violations[0] ?? '', /faithfulness changed by -0.5000/);
  assert.match(gate.notes[0] ?? '', /conflict_handling: unmeasured/);
  assert.match(formatComparison(comparison), /faithfulness\s+1\.000\s+0\.500\s+-0\.500/);
});

test('lower-is-better metrics read the other way', () => {
  const baseline = makeRun(
    'a',
    ['x', 'y', 'z', 'w', 'v', 'u'].map((id) => makeItem(id, { latency_ms: 100 })),
  );
  const candidate = makeRun(
    'b',
    ['x', 'y', 'z', 'w', 'v', 'u'].map((id) => makeItem(id, { latency_ms: 50 })),
  );
  assert.equal(
    compareRuns(baseline, candidate).metrics.find((entry) => entry.metric === 'latency_ms')?.verdict,
    'improved',
  );
});

test('runs on different golden sets or corpora carry a warning', () => {
  const baseline = makeRun('a', [makeItem('x', {})]);
  const candidate = makeRun('b', [makeItem('x', {})], {
    golden: { file: 'g', hash: 'other', split: 'test', items: 1 },
  });
  assert.match(compareRuns(baseline, candidate).warnings.join(), /different golden sets/);
});

test('bad --fail-on rules name the rule and list valid metrics', () => {
  assert.throws(
    () => parseFailOn('faithfulnes<-0.02'),
    /unknown metric "faithfulnes"; use one of faithfulness/,
  );
  assert.throws(() => parseFailOn('faithfulness=-0.02'), /must look like metric<number/);
});
