import { openAnswerCache } from '../cache/index.ts';
import type { PipelineSettings } from '../config/index.ts';
import type { AskCacheOptions } from '../engine/ask.ts';

/**
 * The answer cache the settings ask for, in the index file, or undefined when it is off (by the
 * config, a flag, or because the entry point is an evaluation). The answerer settings become part
 * of the cache key, so changing the model, prompt or threshold never serves answers made under
 * the old ones.
 */
export function openConfiguredCache(
  settings: PipelineSettings,
  indexPath: string,
): AskCacheOptions | undefined {
  if (!settings.cache.enabled) return undefined;
  const { model, promptVersion, temperature, maxOutputTokens, abstainThreshold, maxSentences } =
    settings.answerer;
  return {
    cache: openAnswerCache(indexPath, {
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
