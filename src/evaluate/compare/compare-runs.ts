import { LOWER_IS_BETTER } from '../answer-metrics.ts';
import type { EvalRun, MetricName } from '../eval-run.ts';
import { ALL_METRICS, bootstrapInterval, mean } from './aggregate-metrics.ts';
import { seededRandom } from './seeded-random.ts';

/** How one metric moved between two runs, over the items both runs measured. */
export interface MetricDelta {
  metric: MetricName;
  baseline: number | null;
  candidate: number | null;
  /** Mean of (candidate − baseline) over paired items; null when no item was measured in both. */
  delta: number | null;
  ci95: [number, number] | null;
  /** Two-sided paired sign-flip permutation test. */
  pValue: number | null;
  nPairs: number;
  verdict: 'improved' | 'regressed' | 'unchanged' | 'unmeasured';
}

/** An item whose outcome flipped between runs. */
export interface FlippedItem {
  id: string;
  question: string;
  metric: string;
  before: number | boolean | null;
  after: number | boolean | null;
}

/** Result of comparing a candidate run with a baseline. */
export interface RunComparison {
  baseline: { runId: string; label: string };
  candidate: { runId: string; label: string };
  metrics: MetricDelta[];
  flippedItems: FlippedItem[];
  /** Reasons the two runs may not be comparable (other golden set, split or corpus). */
  warnings: string[];
}

const BINARY_METRICS = [
  'abstention_accuracy',
  'false_abstention',
  'conflict_handling',
  'injection_resistance',
] as const;
const THRESHOLD_METRICS = ['faithfulness', 'citation_accuracy'] as const;

/**
 * Compares two runs item by item: per-metric paired deltas with bootstrap 95% intervals and a
 * sign-flip permutation test, a verdict at p < 0.05 (direction aware), and the items that flipped.
 */
export function compareRuns(
  baseline: EvalRun,
  candidate: EvalRun,
  options: { seed?: number; resamples?: number } = {},
): RunComparison {
  const warnings: string[] = [];
  if (baseline.golden.hash !== candidate.golden.hash)
    warnings.push('the runs used different golden sets (hashes differ)');
  if (baseline.golden.split !== candidate.golden.split)
    warnings.push(`the runs used different splits (${baseline.golden.split} vs ${candidate.golden.split})`);
  if (baseline.corpus.hash !== candidate.corpus.hash)
    warnings.push('the runs indexed different corpora (hashes differ)');
  const byId = new Map(baseline.items.map((item) => [item.id, item]));
  const pairs = candidate.items.flatMap((item) => {
    const before = byId.get(item.id);
    return before ? [{ before, after: item }] : [];
  });
  if (pairs.length < candidate.items.length || pairs.length < baseline.items.length) {
    warnings.push(`only ${pairs.length} items appear in both runs`);
  }

  const metrics: MetricDelta[] = ALL_METRICS.map((metric) => {
    const paired = pairs.flatMap(({ before, after }) => {
      const a = before.metrics[metric];
      const b = after.metrics[metric];
      return typeof a === 'number' && typeof b === 'number' ? [{ a, b }] : [];
    });
    const baselineMean = baseline.aggregates[metric]?.mean ?? null;
    const candidateMean = candidate.aggregates[metric]?.mean ?? null;
    if (paired.length === 0) {
      return {
        metric,
        baseline: baselineMean,
        candidate: candidateMean,
        delta: null,
        ci95: null,
        pValue: null,
        nPairs: 0,
        verdict: 'unmeasured',
      };
    }
    const differences = paired.map(({ a, b }) => b - a);
    const delta = mean(differences);
    const pValue = signFlipPValue(differences, options.seed ?? 7);
    const better = LOWER_IS_BETTER.has(metric) ? delta < 0 : delta > 0;
    return {
      metric,
      baseline: baselineMean,
      candidate: candidateMean,
      delta,
      ci95:
        differences.length < 2
          ? null
          : bootstrapInterval(differences, options.seed ?? 3, options.resamples ?? 2000),
      pValue,
      nPairs: paired.length,
      verdict: pValue < 0.05 && delta !== 0 ? (better ? 'improved' : 'regressed') : 'unchanged',
    };
  });

  const flippedItems: FlippedItem[] = [];
  for (const { before, after } of pairs) {
    if (before.abstained !== after.abstained) {
      flippedItems.push({
        id: after.id,
        question: after.question,
        metric: 'abstained',
        before: before.abstained,
        after: after.abstained,
      });
    }
    for (const metric of BINARY_METRICS) {
      const a = before.metrics[metric];
      const b = after.metrics[metric];
      if (a !== null && b !== null && a !== b)
        flippedItems.push({ id: after.id, question: after.question, metric, before: a, after: b });
    }
    for (const metric of THRESHOLD_METRICS) {
      const a = before.metrics[metric];
      const b = after.metrics[metric];
      if (a !== null && b !== null && a >= 0.5 !== b >= 0.5)
        flippedItems.push({ id: after.id, question: after.question, metric, before: a, after: b });
    }
  }
  return {
    baseline: { runId: baseline.runId, label: baseline.label },
    candidate: { runId: candidate.runId, label: candidate.label },
    metrics,
    flippedItems,
    warnings,
  };
}

/**
 * Two-sided paired sign-flip (permutation) test of mean difference = 0. Exact over all 2^m sign
 * assignments when the m nonzero differences are at most 16, else 10,000 seeded random flips
 * with p = (hits + 1) / (N + 1).
 */
export function signFlipPValue(differences: number[], seed = 7): number {
  const nonzero = differences.filter((difference) => difference !== 0);
  if (nonzero.length === 0) return 1;
  const observed = Math.abs(nonzero.reduce((sum, value) => sum + value, 0));
  const tolerance = 1e-12;
  if (nonzero.length <= 16) {
    let hits = 0;
    const total = 2 ** nonzero.length;
    for (let mask = 0; mask < total; mask++) {
      let sum = 0;
      for (let i = 0; i < nonzero.length; i++)
        sum += mask & (1 << i) ? -(nonzero[i] as number) : (nonzero[i] as number);
      if (Math.abs(sum) >= observed - tolerance) hits++;
    }
    return hits / total;
  }
  const random = seededRandom(seed);
  const rounds = 10_000;
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    for (const value of nonzero) sum += random() < 0.5 ? -value : value;
    if (Math.abs(sum) >= observed - tolerance) hits++;
  }
  return (hits + 1) / (rounds + 1);
}
