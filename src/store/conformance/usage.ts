import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UsageStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

const spend = (day: string, tenant: string, model: string, tokens = 10, costUsd = 0.5, cached = false) => ({
  day,
  tenant,
  model,
  inputTokens: tokens,
  outputTokens: tokens / 2,
  costUsd,
  cached,
});

/** The behaviour every {@link UsageStore} shares. */
export function runUsageConformance(options: DomainSuiteOptions<UsageStore>): void {
  describe(`${options.name} usage conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('adds accumulate per day, tenant and model', testOptions, async () => {
      const usage = await fresh();
      await usage.add(spend('2026-01-01', 'acme', 'm1'));
      await usage.add(spend('2026-01-01', 'acme', 'm1', 0, 0, true));
      assert.deepEqual(await usage.report(), [
        {
          day: '2026-01-01',
          tenant: 'acme',
          model: 'm1',
          requests: 2,
          cached: 1,
          inputTokens: 10,
          outputTokens: 5,
          costUsd: 0.5,
        },
      ]);
    });

    test(
      'reports are newest day first, then tenant and model, filtered by tenant and first day',
      testOptions,
      async () => {
        const usage = await fresh();
        await usage.add(spend('2026-01-01', 'globex', 'm1'));
        await usage.add(spend('2026-01-02', 'acme', 'm2'));
        await usage.add(spend('2026-01-02', 'acme', 'm1'));
        await usage.add(spend('2026-01-02', 'Zeta', 'm1'));
        assert.deepEqual(
          (await usage.report()).map((row) => `${row.day} ${row.tenant} ${row.model}`),
          ['2026-01-02 Zeta m1', '2026-01-02 acme m1', '2026-01-02 acme m2', '2026-01-01 globex m1'],
        );
        assert.deepEqual(
          (await usage.report({ tenant: 'acme', since: '2026-01-02' })).map((row) => row.model),
          ['m1', 'm2'],
        );
        assert.deepEqual(await usage.report({ since: '2026-01-03' }), []);
      },
    );

    test('day totals cover one tenant and one day', testOptions, async () => {
      const usage = await fresh();
      await usage.add(spend('2026-01-02', 'acme', 'm1', 10, 0.25));
      await usage.add(spend('2026-01-02', 'acme', 'm2', 20, 0.5));
      await usage.add(spend('2026-01-01', 'acme', 'm1', 100, 9));
      await usage.add(spend('2026-01-02', 'globex', 'm1', 100, 9));
      assert.deepEqual(await usage.dayTotals('acme', '2026-01-02'), { tokens: 45, costUsd: 0.75 });
      assert.deepEqual(await usage.dayTotals('initech', '2026-01-02'), { tokens: 0, costUsd: 0 });
    });

    test('concurrent writers lose no request', testOptions, async () => {
      const writers = [await fresh(), await fresh()];
      await Promise.all(
        Array.from({ length: 40 }, (_, n) =>
          (writers[n % 2] as UsageStore).add(spend('2026-01-01', 'acme', 'm1', 2, 0.25)),
        ),
      );
      const [row] = await (writers[0] as UsageStore).report();
      assert.equal(row?.requests, 40);
      assert.equal(row?.inputTokens, 80);
      assert.equal(row?.costUsd, 10);
    });
  });
}
