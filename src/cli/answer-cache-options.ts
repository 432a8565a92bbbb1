import { openAnswerCache } from '../cache/index.ts';
import type { CairnConfig } from '../config/index.ts';
import type { AskCacheOptions } from '../engine/ask.ts';

/**
 * The answer cache the config asks for, in the index file, or undefined when disabled. The
 * answerer settings become part of the cache key, so changing the model, prompt or threshold never
 * serves answers made under the old ones.
 */
export function openConfiguredCache(config: CairnConfig, indexPath: string): AskCacheOptions | undefined {
  if (!config.cache.enabled) return undefined;
  const { model, promptVersion, temperature, maxOutputTokens, abstainThreshold, maxSentences } =
    config.answerer;
  return {
    cache: openAnswerCache(indexPath, {
      ttlSeconds: config.cache.ttlSeconds,
      maxEntriesPerTenant: config.cache.maxEntriesPerTenant,
    }),
    ...(config.cache.semanticSimilarity === null
      ? {}
      : { semanticSimilarity: config.cache.semanticSimilarity }),
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
