import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema } from './config-schema.ts';
import {
  maskSettings,
  recordSettings,
  resolvePipelineSettings,
  settingsFingerprint,
} from './resolve-settings.ts';

const SECRET = 'sk-resolve-secret-0123456789';
const config = configSchema.parse({
  retrieval: { candidates: 40, mmrLambda: 0.5 },
  answerer: {
    model: 'openai-compatible:main',
    apiKey: SECRET,
    abstainWithoutCitations: false,
    deadlineMs: 9000,
    routing: { model: 'openai-compatible:cheap', apiKey: SECRET },
    fallbacks: [{ model: 'anthropic:backup', apiKey: SECRET }],
  },
  guard: { scanQuestions: false, policyFallback: 'none' },
  cache: { semanticSimilarity: null },
});

test('ask, serve and eval resolve identical answering settings from one config; eval alone skips the cache', () => {
  const [ask, serve, evaluation] = (['ask', 'serve', 'eval'] as const).map((entry) =>
    resolvePipelineSettings({ config, file: 'cairn.config.json', fromEnv: [] }, entry),
  );
  for (const section of ['retrieval', 'answerer', 'guard', 'embedder', 'prices', 'chunking'] as const) {
    assert.deepEqual(ask?.[section], serve?.[section], section);
    assert.deepEqual(evaluation?.[section], serve?.[section], section);
  }
  assert.equal(serve?.retrieval.candidates, 40);
  assert.equal(serve?.retrieval.mmrLambda, 0.5);
  assert.equal(serve?.answerer.abstainWithoutCitations, false);
  assert.equal(serve?.answerer.deadlineMs, 9000);
  assert.equal(serve?.answerer.routing?.model, 'openai-compatible:cheap');
  assert.equal(serve?.cache.enabled, true);
  assert.deepEqual(
    { enabled: evaluation?.cache.enabled, disabledBy: evaluation?.cache.disabledBy },
    { enabled: false, disabledBy: 'evaluation' },
  );
  assert.equal(settingsFingerprint(ask as never), settingsFingerprint(evaluation as never));
});

test('defaults come from the schema alone, and flags override the config', () => {
  const defaults = configSchema.parse({});
  const settings = resolvePipelineSettings({ config: defaults }, 'ask');
  assert.deepEqual(settings.retrieval, defaults.retrieval);
  assert.deepEqual(settings.answerer, defaults.answerer);
  assert.deepEqual(settings.guard, defaults.guard);
  assert.deepEqual(settings.sources, { file: null, fromEnv: [] });

  const flagged = resolvePipelineSettings({ config }, 'ask', {
    k: 2,
    abstainThreshold: -1,
    index: 'other.db',
    namespace: 'team',
    includeQuarantined: true,
  });
  assert.equal(flagged.retrieval.k, 2);
  assert.equal(flagged.retrieval.includeQuarantined, true);
  assert.equal(flagged.answerer.abstainThreshold, -1);
  assert.deepEqual([flagged.index, flagged.namespace], ['other.db', 'team']);
  assert.equal(flagged.cache.disabledBy, '--include-quarantined', 'reviews never read the cache');
  assert.equal(resolvePipelineSettings({ config }, 'ask', { noCache: true }).cache.disabledBy, '--no-cache');
  assert.equal(config.answerer.abstainThreshold, undefined, 'the config itself is left alone');
});

test('recorded settings mask every API key, and the fingerprint follows the answering settings', () => {
  const settings = resolvePipelineSettings({ config }, 'eval');
  const recorded = recordSettings(settings);
  assert.doesNotMatch(JSON.stringify(recorded), new RegExp(SECRET));
  assert.equal(recorded.answerer.routing?.apiKey, '[masked]');
  assert.equal(recorded.answerer.fallbacks[0]?.apiKey, '[masked]');
  assert.equal(settings.answerer.apiKey, SECRET, 'masking copies');
  const { fingerprint: _fingerprint, ...masked } = recorded;
  assert.deepEqual(masked, maskSettings(settings));

  const otherKey = resolvePipelineSettings(
    { config: { ...config, answerer: { ...config.answerer, apiKey: 'sk-another-key-987654321' } } },
    'eval',
  );
  assert.equal(settingsFingerprint(otherKey), recorded.fingerprint, 'a new key is not a new pipeline');
  const moreCandidates = resolvePipelineSettings(
    { config: { ...config, retrieval: { ...config.retrieval, candidates: 41 } } },
    'eval',
  );
  assert.notEqual(settingsFingerprint(moreCandidates), recorded.fingerprint);
});
