import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Trace, TraceStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

const trace = (namespace: string, traceId: string, startedAt: string, label = traceId): Trace => ({
  traceId,
  namespace,
  startedAt,
  durationMs: 12.5,
  label,
  spans: [
    {
      spanId: 's1',
      parentSpanId: null,
      name: 'cairn.ask',
      startMs: 0,
      durationMs: 12.5,
      status: 'ok',
      attributes: { question: 'why?', k: 3, cited: ['a', 'b'], ok: true, none: null },
    },
  ],
});

/** The behaviour every {@link TraceStore} shares. */
export function runTracesConformance(options: DomainSuiteOptions<TraceStore>): void {
  describe(`${options.name} traces conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('a saved trace reads back whole, spans and attributes included', testOptions, async () => {
      const traces = await fresh();
      const saved = trace('acme', 't1', '2026-01-01T00:00:00.000Z');
      await traces.saveTrace(saved);
      assert.deepEqual(await traces.getTrace('acme', 't1'), saved);
      assert.equal(await traces.getTrace('acme', 'missing'), undefined);
    });

    test('saving the same id again replaces the trace', testOptions, async () => {
      const traces = await fresh();
      await traces.saveTrace(trace('acme', 't1', '2026-01-01T00:00:00.000Z', 'first'));
      await traces.saveTrace(trace('acme', 't1', '2026-01-01T00:00:00.000Z', 'second'));
      assert.equal((await traces.getTrace('acme', 't1'))?.label, 'second');
      assert.equal((await traces.listTraces('acme')).length, 1);
    });

    test('listing is newest first, limited, without spans', testOptions, async () => {
      const traces = await fresh();
      for (const [id, at] of [
        ['old', '2026-01-01T00:00:00.000Z'],
        ['new', '2026-01-03T00:00:00.000Z'],
        ['mid', '2026-01-02T00:00:00.000Z'],
      ] as const)
        await traces.saveTrace(trace('acme', id, at));
      const listed = await traces.listTraces('acme');
      assert.deepEqual(
        listed.map((summary) => summary.traceId),
        ['new', 'mid', 'old'],
      );
      assert.equal('spans' in (listed[0] as object), false);
      assert.deepEqual(
        (await traces.listTraces('acme', { limit: 2 })).map((summary) => summary.traceId),
        ['new', 'mid'],
      );
    });

    test('namespaces never see each other', testOptions, async () => {
      const traces = await fresh();
      await traces.saveTrace(trace('acme', 'shared-id', '2026-01-01T00:00:00.000Z', 'acme'));
      await traces.saveTrace(trace('globex', 'shared-id', '2026-01-01T00:00:00.000Z', 'globex'));
      assert.equal((await traces.getTrace('acme', 'shared-id'))?.label, 'acme');
      assert.equal((await traces.getTrace('globex', 'shared-id'))?.label, 'globex');
      assert.deepEqual(await traces.listTraces('initech'), []);
    });
  });
}
