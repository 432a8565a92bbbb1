import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IndexSettingsStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

/** The behaviour every {@link IndexSettingsStore} shares. */
export function runSettingsConformance(options: DomainSuiteOptions<IndexSettingsStore>): void {
  describe(`${options.name} index settings conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('a new index has no embedder and no settings', testOptions, async () => {
      const settings = await fresh();
      assert.equal(await settings.readEmbedder(), undefined);
      assert.equal(await settings.getSetting('acme', 'abstention'), undefined);
    });

    test('the recorded embedder reads back; recording again replaces it', testOptions, async () => {
      const settings = await fresh();
      await settings.recordEmbedder({ embedderId: 'hashing:hash-64', dimensions: 64 });
      assert.deepEqual(await settings.readEmbedder(), { embedderId: 'hashing:hash-64', dimensions: 64 });
      await settings.recordEmbedder({ embedderId: 'local:use-lite-512', dimensions: 512 });
      assert.deepEqual(await settings.readEmbedder(), { embedderId: 'local:use-lite-512', dimensions: 512 });
    });

    test('settings are per namespace and replaced by key', testOptions, async () => {
      const settings = await fresh();
      const calibration = JSON.stringify({ version: 1, threshold: 0.42, note: 'ünïcode "quoted"' });
      await settings.setSetting('acme', 'abstention', '{"threshold":0.5}');
      await settings.setSetting('acme', 'abstention', calibration);
      await settings.setSetting('globex', 'abstention', '{"threshold":0.1}');
      assert.equal(await settings.getSetting('acme', 'abstention'), calibration);
      assert.equal(await settings.getSetting('globex', 'abstention'), '{"threshold":0.1}');
      assert.equal(await settings.getSetting('acme', 'other'), undefined);
    });
  });
}
