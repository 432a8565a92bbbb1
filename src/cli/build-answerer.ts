import type { CairnConfig } from '../config/index.ts';
import type { AskRouting } from '../engine/ask.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import { createLanguageModel, createResilientLanguageModel } from '../generate/providers/index.ts';
import type { Answerer, EmbeddingModel } from '../spec/index.ts';

/** The answerer a configuration names: `extractive` (offline) or an LLM provider spec. */
export function buildAnswerer(config: CairnConfig, embedder: EmbeddingModel, stream = true): Answerer {
  const settings = config.answerer;
  if (settings.model === 'extractive') {
    return createExtractiveAnswerer({
      embedder,
      maxSentences: settings.maxSentences,
      ...(settings.abstainThreshold === undefined ? {} : { abstainThreshold: settings.abstainThreshold }),
    });
  }
  const chain = [
    { model: settings.model, baseURL: settings.baseURL, apiKey: settings.apiKey },
    ...settings.fallbacks,
  ].map((entry) =>
    createLanguageModel(entry.model, {
      ...(entry.baseURL ? { baseURL: entry.baseURL } : {}),
      ...(entry.apiKey ? { apiKey: entry.apiKey } : {}),
      timeoutMs: settings.timeoutMs,
    }),
  );
  const model = createResilientLanguageModel(chain, { retries: settings.retries });
  return createLlmAnswerer({
    model,
    promptVersion: settings.promptVersion,
    maxOutputTokens: settings.maxOutputTokens,
    temperature: settings.temperature,
    stream,
  });
}

/**
 * The answerer the grounding policy falls back to when an LLM's answers break it twice: the
 * extractive answerer, which can only quote passages. None for the extractive default itself.
 */
export function buildFallbackAnswerer(config: CairnConfig, embedder: EmbeddingModel): Answerer | undefined {
  if (config.answerer.model === 'extractive' || config.guard.policyFallback === 'none') return undefined;
  return createExtractiveAnswerer({
    embedder,
    ...(config.answerer.abstainThreshold === undefined
      ? {}
      : { abstainThreshold: config.answerer.abstainThreshold }),
  });
}

/** Routing rules from `answerer.routing`: the cheap model's answerer, or undefined when unset. */
export function buildRouting(config: CairnConfig, stream = true): AskRouting | undefined {
  const routing = config.answerer.routing;
  if (!routing || config.answerer.model === 'extractive') return undefined;
  const settings = config.answerer;
  const model = createResilientLanguageModel(
    [
      createLanguageModel(routing.model, {
        ...(routing.baseURL ? { baseURL: routing.baseURL } : {}),
        ...(routing.apiKey ? { apiKey: routing.apiKey } : {}),
        timeoutMs: settings.timeoutMs,
      }),
    ],
    { retries: settings.retries },
  );
  return {
    cheap: createLlmAnswerer({
      model,
      promptVersion: settings.promptVersion,
      maxOutputTokens: settings.maxOutputTokens,
      temperature: settings.temperature,
      stream,
    }),
    longContextTokens: routing.longContextTokens,
    escalateOnAbstain: routing.escalateOnAbstain,
  };
}
