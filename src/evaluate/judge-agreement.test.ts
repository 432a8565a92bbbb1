import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreementStats } from './judge-agreement.ts';

test("Cohen's kappa on a worked example", () => {
  // 20 + 5 + 10 + 15 = 50 items. p_o = (20 + 15) / 50 = 0.7.
  // Human positive 25/50 = 0.5; judge positive 30/50 = 0.6. p_e = 0.5*0.6 + 0.5*0.4 = 0.5.
  // kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
  const pairs = [
    ...Array.from({ length: 20 }, () => ({ human: true, judge: true })),
    ...Array.from({ length: 5 }, () => ({ human: true, judge: false })),
    ...Array.from({ length: 10 }, () => ({ human: false, judge: true })),
    ...Array.from({ length: 15 }, () => ({ human: false, judge: false })),
  ];
  const stats = agreementStats(pairs);
  assert.equal(stats.agreement, 0.7);
  assert.ok(Math.abs((stats.kappa ?? 0) - 0.4) < 1e-12);
  assert.equal(stats.perVerdict.positive.precision, 20 / 30);
  assert.equal(stats.perVerdict.positive.recall, 20 / 25);
  assert.equal(stats.perVerdict.negative.recall, 15 / 25);
});

test('kappa is undefined, not NaN, when both raters always say the same class', () => {
  const stats = agreementStats([
    { human: true, judge: true },
    { human: true, judge: true },
  ]);
  assert.equal(stats.kappa, null);
  assert.equal(stats.perVerdict.negative.precision, null);
});
