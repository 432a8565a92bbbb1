import { CairnError } from '../../spec/index.ts';
import type { MetricName } from '../eval-run.ts';
import { ALL_METRICS } from './aggregate-metrics.ts';
import type { RunComparison } from './compare-runs.ts';

/** One CI gate: fail when the metric's delta is below (`<`) or above (`>`) the threshold. */
export interface FailOnRule {
  metric: MetricName;
  op: '<' | '>';
  threshold: number;
}

/** Parses `"faithfulness<-0.02,abstention_accuracy<-0.05,latency_ms>50"`. */
export function parseFailOn(spec: string): FailOnRule[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((rule) => {
      const match = /^([a-z_]+)\s*([<>])\s*(-?\d+(?:\.\d+)?)$/.exec(rule);
      if (!match) {
        throw new CairnError(
          'invalid_option',
          `--fail-on rule "${rule}" must look like metric<number or metric>number, e.g. faithfulness<-0.02`,
        );
      }
      const metric = match[1] as MetricName;
      if (!ALL_METRICS.includes(metric)) {
        throw new CairnError(
          'invalid_option',
          `--fail-on: unknown metric "${match[1]}"; use one of ${ALL_METRICS.join(', ')}`,
        );
      }
      return { metric, op: match[2] as '<' | '>', threshold: Number(match[3]) };
    });
}

/** Applies the rules to a comparison; unmeasured metrics are noted, never silently passed or failed. */
export function evaluateFailOn(
  comparison: RunComparison,
  rules: FailOnRule[],
): { failed: boolean; violations: string[]; notes: string[] } {
  const violations: string[] = [];
  const notes: string[] = [];
  for (const rule of rules) {
    const delta = comparison.metrics.find((entry) => entry.metric === rule.metric)?.delta ?? null;
    if (delta === null) {
      notes.push(
        `${rule.metric}: unmeasured in one of the runs, rule ${rule.metric}${rule.op}${rule.threshold} not applied`,
      );
      continue;
    }
    const violated = rule.op === '<' ? delta < rule.threshold : delta > rule.threshold;
    if (violated)
      violations.push(
        `${rule.metric} changed by ${delta.toFixed(4)} (rule: fail if ${rule.op} ${rule.threshold})`,
      );
  }
  return { failed: violations.length > 0, violations, notes };
}
