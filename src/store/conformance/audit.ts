import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEntry, AuditStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

const entry = (tenant: string, query: string, at: string): AuditEntry => ({
  at,
  tenant,
  keyId: 'k1',
  route: 'ask',
  query,
  docIds: ['guides/a.md', 'b.md'],
});

/** The behaviour every {@link AuditStore} shares. */
export function runAuditConformance(options: DomainSuiteOptions<AuditStore>): void {
  describe(`${options.name} audit conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('entries read back newest appended first, per tenant, limited', testOptions, async () => {
      const audit = await fresh();
      await audit.append(entry('acme', 'first', '2026-01-02T00:00:00.000Z'));
      // Appended later with an earlier clock: append order wins.
      await audit.append(entry('acme', 'second', '2026-01-01T00:00:00.000Z'));
      await audit.append(entry('globex', 'other', '2026-01-03T00:00:00.000Z'));
      const listed = await audit.list('acme');
      assert.deepEqual(
        listed.map((row) => row.query),
        ['second', 'first'],
      );
      assert.deepEqual(listed[1], entry('acme', 'first', '2026-01-02T00:00:00.000Z'));
      assert.deepEqual(
        (await audit.list('acme', 1)).map((row) => row.query),
        ['second'],
      );
      assert.deepEqual(
        (await audit.list('globex')).map((row) => row.query),
        ['other'],
      );
    });

    test('retention removes only entries older than the period', testOptions, async () => {
      const audit = await fresh();
      const now = new Date('2026-03-31T00:00:00.000Z');
      await audit.append(entry('acme', 'ancient', '2026-01-01T00:00:00.000Z'));
      await audit.append(entry('globex', 'ancient', '2026-02-01T00:00:00.000Z'));
      await audit.append(entry('acme', 'recent', '2026-03-30T00:00:00.000Z'));
      assert.equal(await audit.purgeOlderThan(30, now), 2);
      assert.deepEqual(
        (await audit.list('acme')).map((row) => row.query),
        ['recent'],
      );
      assert.deepEqual(await audit.list('globex'), []);
      assert.equal(await audit.purgeOlderThan(30, now), 0);
    });
  });
}
