import { createAnswerCache } from '../cache/index.ts';
import type { PipelineSettings } from '../config/index.ts';
import type { AskCacheOptions } from '../engine/ask.ts';
import type { AnswerCacheStore } from '../spec/index.ts';

/**
 * The answer cache the settings ask for, over the storage's cache domain, or undefined when it is off (by the
 * config, a flag, or because the entry point is an evaluation). The answerer settings become part
 * of the cache key, so changing the model, prompt or threshold never serves answers made under
 * the old ones.
 */
export function openConfiguredCache(
  settings: PipelineSettings,
  store: AnswerCacheStore,
): AskCacheOptions | undefined {
  if (!settings.cache.enabled) return undefined;
  const { model, promptVersion, temperature, maxOutputTokens, abstainThreshold, maxSentences } =
    settings.answerer;
  return {
    cache: createAnswerCache(store, {
      ttlSeconds: settings.cache.ttlSeconds,
      maxEntriesPerTenant: settings.cache.maxEntriesPerTenant,
    }),
    ...(settings.cache.semanticSimilarity === null
      ? {}
      : { semanticSimilarity: settings.cache.semanticSimilarity }),
    settings: JSON.stringify({
      model,
      promptVersion,
      temperature,
      maxOutputTokens,
      abstainThreshold,
      maxSentences,
    }),
  };
}
