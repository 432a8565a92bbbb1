import type { PipelineSettings } from '../config/index.ts';
import type { AskCacheOptions, AskOptions, AskRetrievalOptions, AskRouting } from '../engine/ask.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import { createLanguageModel, createResilientLanguageModel } from '../generate/providers/index.ts';
import type { AnswerCacheStore, Answerer, EmbeddingModel } from '../spec/index.ts';
import type { Storage } from '../store/storage-domains.ts';
import { openConfiguredCache } from './answer-cache-options.ts';

/**
 * The `ask()` options every entry point shares, built from resolved settings: answerer, retrieval,
 * prices, the grounding policy and its fallback, question screening, redaction, routing and the
 * deadline. The answer cache is separate (see {@link Pipeline.cache}).
 */
export type PipelineAskOptions = Required<
  Pick<
    AskOptions,
    | 'answerer'
    | 'retrieval'
    | 'prices'
    | 'abstainWithoutCitations'
    | 'screenQuestion'
    | 'screenPassages'
    | 'redactAnswer'
    | 'deadlineMs'
  >
> &
  Pick<AskOptions, 'fallbackAnswerer' | 'routing'>;

/** A pipeline built from {@link PipelineSettings}. */
export interface Pipeline {
  settings: PipelineSettings;
  ask: PipelineAskOptions;
  /** The answer cache over the storage's cache domain, when the settings enable it. */
  cache: AskCacheOptions | undefined;
}

/**
 * Builds the models and `ask()` options the settings describe. `stream` makes LLM answerers
 * stream (terminal and server); `cacheStore` is where the answer cache lives (none: no cache).
 */
export function buildPipeline(
  settings: PipelineSettings,
  embedder: EmbeddingModel,
  options: { stream: boolean; cacheStore?: AnswerCacheStore },
): Pipeline {
  const fallbackAnswerer = buildFallbackAnswerer(settings, embedder);
  const routing = buildRouting(settings, options.stream);
  return {
    settings,
    ask: {
      answerer: buildAnswerer(settings, embedder, options.stream),
      retrieval: askRetrieval(settings.retrieval),
      prices: settings.prices,
      abstainWithoutCitations: settings.answerer.abstainWithoutCitations,
      screenQuestion: settings.guard.scanQuestions,
      screenPassages: settings.guard.screenPassages,
      redactAnswer: settings.guard.redactAnswers,
      deadlineMs: settings.answerer.deadlineMs,
      ...(fallbackAnswerer ? { fallbackAnswerer } : {}),
      ...(routing ? { routing } : {}),
    },
    cache: options.cacheStore === undefined ? undefined : openConfiguredCache(settings, options.cacheStore),
  };
}

/**
 * Everything `ask()` needs but the question, for a command that answers in its own process over
 * an opened index: the pipeline's options, the index's store, calibration and traces, its
 * embedder and the answer cache.
 */
export function indexAskOptions(
  pipeline: Pipeline,
  opened: { storage: Pick<Storage, 'store' | 'settings' | 'traces'>; embedder: EmbeddingModel },
  namespace: string,
): Omit<AskOptions, 'question'> {
  const { storage, embedder } = opened;
  return {
    ...pipeline.ask,
    store: storage.store,
    indexSettings: storage.settings,
    embedder,
    traceStore: storage.traces,
    namespace,
    ...(pipeline.cache ? { cache: pipeline.cache } : {}),
  };
}

/** The retrieval settings as `ask()` takes them: unset optional values left out. */
function askRetrieval(retrieval: PipelineSettings['retrieval']): AskRetrievalOptions {
  const { candidates, mmrLambda, includeQuarantined, ...always } = retrieval;
  return {
    ...always,
    ...(candidates === undefined ? {} : { candidates }),
    ...(mmrLambda === undefined ? {} : { mmrLambda }),
    ...(includeQuarantined ? { includeQuarantined } : {}),
  };
}

/** The answerer the settings name: `extractive` (offline) or an LLM provider spec with fallbacks. */
export function buildAnswerer(settings: PipelineSettings, embedder: EmbeddingModel, stream = true): Answerer {
  const answerer = settings.answerer;
  if (answerer.model === 'extractive') {
    return createExtractiveAnswerer({
      embedder,
      maxSentences: answerer.maxSentences,
      ...(answerer.abstainThreshold === undefined ? {} : { abstainThreshold: answerer.abstainThreshold }),
    });
  }
  const chain = [
    { model: answerer.model, baseURL: answerer.baseURL, apiKey: answerer.apiKey },
    ...answerer.fallbacks,
  ].map((entry) =>
    createLanguageModel(entry.model, {
      ...(entry.baseURL ? { baseURL: entry.baseURL } : {}),
      ...(entry.apiKey ? { apiKey: entry.apiKey } : {}),
      timeoutMs: answerer.timeoutMs,
    }),
  );
  const model = createResilientLanguageModel(chain, {
    retries: answerer.retries,
    maxConcurrency: answerer.maxConcurrency,
  });
  return createLlmAnswerer({
    model,
    promptVersion: answerer.promptVersion,
    maxOutputTokens: answerer.maxOutputTokens,
    temperature: answerer.temperature,
    stream,
  });
}

/**
 * The answerer the grounding policy falls back to when an LLM's answers break it twice: the
 * extractive answerer, which can only quote passages. None for the extractive default itself,
 * nor when `guard.policyFallback` is `none`.
 */
function buildFallbackAnswerer(settings: PipelineSettings, embedder: EmbeddingModel): Answerer | undefined {
  const answerer = settings.answerer;
  if (answerer.model === 'extractive' || settings.guard.policyFallback === 'none') return undefined;
  return createExtractiveAnswerer({
    embedder,
    maxSentences: answerer.maxSentences,
    ...(answerer.abstainThreshold === undefined ? {} : { abstainThreshold: answerer.abstainThreshold }),
  });
}

/** Routing rules from `answerer.routing`: the cheap model's answerer, or undefined when unset. */
function buildRouting(settings: PipelineSettings, stream: boolean): AskRouting | undefined {
  const answerer = settings.answerer;
  const routing = answerer.routing;
  if (!routing || answerer.model === 'extractive') return undefined;
  const model = createResilientLanguageModel(
    [
      createLanguageModel(routing.model, {
        ...(routing.baseURL ? { baseURL: routing.baseURL } : {}),
        ...(routing.apiKey ? { apiKey: routing.apiKey } : {}),
        timeoutMs: answerer.timeoutMs,
      }),
    ],
    { retries: answerer.retries, maxConcurrency: answerer.maxConcurrency },
  );
  return {
    cheap: createLlmAnswerer({
      model,
      promptVersion: answerer.promptVersion,
      maxOutputTokens: answerer.maxOutputTokens,
      temperature: answerer.temperature,
      stream,
    }),
    longContextTokens: routing.longContextTokens,
    escalateOnAbstain: routing.escalateOnAbstain,
  };
}
