import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ApiKeyStore, CairnError } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

/** The behaviour every {@link ApiKeyStore} shares. */
export function runApiKeysConformance(options: DomainSuiteOptions<ApiKeyStore>): void {
  describe(`${options.name} api keys conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('a created key verifies to its record; an unknown one does not', testOptions, async () => {
      const keys = await fresh();
      const created = await keys.create({ tenant: 'acme', role: 'writer', label: 'ci' });
      assert.match(created.key, /^cairn_[0-9a-f]{12}_/);
      assert.deepEqual(await keys.verify(created.key), created.record);
      assert.equal(created.record.label, 'ci');
      assert.equal(await keys.verify(`${created.key}x`), undefined);
      assert.equal(await keys.verify('cairn_nothing'), undefined);
    });

    test('listing is oldest first and per tenant; count covers every tenant', testOptions, async () => {
      const keys = await fresh();
      const first = await keys.create({ tenant: 'acme', role: 'reader' });
      await keys.create({ tenant: 'globex', role: 'admin' });
      const third = await keys.create({ tenant: 'acme', role: 'operator' });
      assert.deepEqual(
        (await keys.list('acme')).map((record) => record.id),
        [first.record.id, third.record.id],
      );
      assert.equal((await keys.list()).length, 3);
      assert.equal(await await keys.count(), 3);
      assert.deepEqual(await keys.list('initech'), []);
    });

    test('revoking needs the right tenant and stops the key verifying', testOptions, async () => {
      const keys = await fresh();
      const created = await keys.create({ tenant: 'acme', role: 'admin' });
      assert.equal(await keys.revoke('globex', created.record.id), false);
      assert.ok(await keys.verify(created.key));
      assert.equal(await keys.revoke('acme', created.record.id), true);
      assert.equal(await keys.revoke('acme', created.record.id), false);
      assert.equal(await keys.verify(created.key), undefined);
      assert.deepEqual(await keys.list('acme'), []);
      assert.equal(await await keys.count(), 0);
    });

    test('path-like tenants and unknown roles are refused', testOptions, async () => {
      const keys = await fresh();
      for (const tenant of ['..', '../x', 'a/b', '', '.hidden'])
        await assert.rejects(keys.create({ tenant, role: 'reader' }), (error) =>
          CairnError.is(error, 'invalid_input'),
        );
      await assert.rejects(keys.create({ tenant: 'acme', role: 'root' as never }), (error) =>
        CairnError.is(error, 'invalid_input'),
      );
      assert.equal(await await keys.count(), 0);
    });
  });
}
