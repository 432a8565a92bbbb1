import { ANSWER_METRICS } from '../answer-metrics.ts';
import type { EvalItemResult, MetricAggregate, MetricName } from '../eval-run.ts';
import { seededRandom } from './seeded-random.ts';

/** Every metric a run aggregates, quality first. */
export const ALL_METRICS: readonly MetricName[] = [...ANSWER_METRICS, 'cost_usd', 'latency_ms', 'tokens'];

/**
 * Mean of each metric over the items where it was measured (null = unmeasured, never 0), with a
 * percentile-bootstrap 95% interval. `cost_usd` is null as a whole when any item is unpriced.
 */
export function aggregateMetrics(
  items: EvalItemResult[],
  options: { seed?: number; resamples?: number } = {},
): Partial<Record<MetricName, MetricAggregate>> {
  const aggregates: Partial<Record<MetricName, MetricAggregate>> = {};
  for (const metric of ALL_METRICS) {
    const values = items.map((item) => item.metrics[metric]);
    const measured = values.filter(
      (value): value is number => typeof value === 'number' && Number.isFinite(value),
    );
    const unmeasured = values.length - measured.length;
    if (metric === 'cost_usd' && unmeasured > 0) {
      aggregates[metric] = { mean: null, n: measured.length, unmeasured, ci95: null };
      continue;
    }
    aggregates[metric] = {
      mean: measured.length === 0 ? null : mean(measured),
      n: measured.length,
      unmeasured,
      ci95:
        measured.length < 2
          ? null
          : bootstrapInterval(measured, options.seed ?? 1, options.resamples ?? 2000),
    };
  }
  return aggregates;
}

/** Percentile bootstrap of the mean: resample with replacement, take the 2.5th and 97.5th percentiles. */
export function bootstrapInterval(values: number[], seed: number, resamples: number): [number, number] {
  const random = seededRandom(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[Math.floor(random() * values.length)] as number;
    means.push(sum / values.length);
  }
  means.sort((a, b) => a - b);
  const at = (p: number) =>
    means[Math.min(means.length - 1, Math.max(0, Math.round(p * (means.length - 1))))] as number;
  return [at(0.025), at(0.975)];
}

/** Arithmetic mean of a non-empty list. */
export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
