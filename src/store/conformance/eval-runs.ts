import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CairnError, type EvalRunRecord, type EvalRunStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

type Run = EvalRunRecord & { label: string; items: { id: string; score: number }[] };

const run = (runId: string, createdAt: string, tenant?: string): Run => ({
  schemaVersion: 1,
  runId,
  createdAt,
  ...(tenant === undefined ? {} : { tenant }),
  label: `run ${runId}`,
  items: [{ id: 'q1', score: 0.75 }],
});

/** The behaviour every {@link EvalRunStore} shares. */
export function runEvalRunsConformance(options: DomainSuiteOptions<EvalRunStore>): void {
  describe(`${options.name} eval runs conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('a saved run reads back whole at the location save returned', testOptions, async () => {
      const runs = (await fresh()) as EvalRunStore<Run>;
      const saved = run('aaaa1111-0000', '2026-01-01T00:00:00.000Z', 'acme');
      const location = await runs.save(saved);
      assert.deepEqual(await runs.list('acme'), [{ location, run: saved }]);
    });

    test('runs are listed newest first and found by id prefix, per tenant', testOptions, async () => {
      const runs = (await fresh()) as EvalRunStore<Run>;
      await runs.save(run('aaaa1111-0000', '2026-01-01T00:00:00.000Z', 'acme'));
      await runs.save(run('bbbb2222-0000', '2026-01-03T00:00:00.000Z', 'acme'));
      await runs.save(run('cccc3333-0000', '2026-01-02T00:00:00.000Z', 'globex'));
      await runs.save(run('dddd4444-0000', '2026-01-02T00:00:00.000Z'));
      assert.deepEqual(
        (await runs.list('acme')).map(({ run }) => run.runId),
        ['bbbb2222-0000', 'aaaa1111-0000'],
      );
      assert.equal((await runs.find('acme', 'aaaa'))?.run.runId, 'aaaa1111-0000');
      assert.equal(await runs.find('globex', 'aaaa'), undefined);
      assert.equal(await runs.find('acme', 'cccc'), undefined);
      // Runs that recorded no tenant belong to `default`.
      assert.equal((await runs.find('default', 'dddd'))?.run.runId, 'dddd4444-0000');
      assert.deepEqual(await runs.list('initech'), []);
    });

    test('a path-like tenant is refused', testOptions, async () => {
      const runs = (await fresh()) as EvalRunStore<Run>;
      await assert.rejects(runs.save(run('eeee', '2026-01-01T00:00:00.000Z', '..')), (error) =>
        CairnError.is(error, 'invalid_input'),
      );
    });
  });
}
