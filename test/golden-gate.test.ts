import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { BASELINE_FILE, GATED_METRICS, runOfflineGoldenEval } from '../scripts/golden-gate.ts';
import { LOWER_IS_BETTER } from '../src/evaluate/index.ts';

// The project's own quality gate: the bundled golden test split, answered and judged offline,
// must not fall below the recorded baseline (re-record deliberately with
// `npx tsx scripts/golden-gate.ts --record` and explain why in the commit).
test('offline answer quality on the bundled golden set stays at or above the recorded baseline', async () => {
  const baseline = JSON.parse(fs.readFileSync(BASELINE_FILE, 'utf8')) as {
    metrics: Record<string, number | null>;
  };
  const run = await runOfflineGoldenEval();
  const failures: string[] = [];
  for (const [metric, tolerance] of Object.entries(GATED_METRICS)) {
    const recorded = baseline.metrics[metric];
    const current = run.aggregates[metric as keyof typeof run.aggregates]?.mean ?? null;
    if (recorded === null || recorded === undefined) continue;
    if (current === null) {
      failures.push(`${metric}: was ${recorded.toFixed(3)}, now unmeasured`);
      continue;
    }
    const worse = LOWER_IS_BETTER.has(metric)
      ? current > recorded + tolerance
      : current < recorded - tolerance;
    if (worse)
      failures.push(`${metric}: ${recorded.toFixed(3)} -> ${current.toFixed(3)} (tolerance ${tolerance})`);
  }
  assert.deepEqual(failures, [], `quality regressed on the golden set:\n${failures.join('\n')}`);
});
