import { createHash } from 'node:crypto';
import type { CacheHit } from '../cache/index.ts';
import type { Span } from '../spec/index.ts';
import type { Tracer } from '../trace/tracer.ts';
import type { AskCacheOptions, AskOptions, AskPolicyReport, AskResult } from './ask-types.ts';
import { closeTrace } from './close-trace.ts';

/** What a cached answer depends on: a change to any of these must not serve old answers. */
export function cacheFingerprint(options: AskOptions): string {
  const parts = {
    answerer: options.answerer.id,
    fallback: options.fallbackAnswerer?.id ?? null,
    routing: options.routing
      ? [options.routing.cheap.id, options.routing.longContextTokens, options.routing.escalateOnAbstain]
      : null,
    retrieval: options.retrieval ?? {},
    redact: options.redactAnswer ?? true,
    requireCitations: options.abstainWithoutCitations ?? true,
    settings: options.cache?.settings ?? '',
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * Returns the cached answer as this request's result, after checking that every document it
 * cites is unchanged and not quarantined; a stale entry is dropped and undefined returned.
 */
export async function serveFromCache(input: {
  hit: CacheHit;
  tracer: Tracer;
  root: Span;
  options: AskOptions;
  namespace: string;
  questionInjection: AskPolicyReport['questionInjection'];
}): Promise<AskResult | undefined> {
  const { hit, tracer, root, options } = input;
  const cache = options.cache as AskCacheOptions;
  const span = tracer.start('cairn.cache', {
    lookup: hit.kind,
    similarity: Number(hit.similarity.toFixed(4)),
  });
  const current = new Map(
    (
      await options.store.getDocuments(
        input.namespace,
        hit.citedVersions.map((v) => v.docId),
      )
    ).map((d) => [d.id, d]),
  );
  const fresh = hit.citedVersions.every((version) => {
    const document = current.get(version.docId);
    return document !== undefined && document.contentHash === version.contentHash && !document.quarantined;
  });
  span.attributes.hit = fresh;
  if (!fresh) {
    span.attributes.stale = true;
    tracer.end(span);
    await cache.cache.remove(hit.id);
    cache.cache.record('stale');
    return undefined;
  }
  cache.cache.record(hit.kind);
  tracer.end(span);
  const cached = hit.value as Omit<AskResult, 'traceId' | 'timings'>;
  options.onToken?.(cached.answer);
  const { trace, stageMs } = await closeTrace({
    tracer,
    root,
    options,
    answer: cached.answer,
    abstained: false,
    attributes: { cache: hit.kind },
  });
  return {
    ...cached,
    // Entries cached before conflicts were reported have none recorded.
    conflicts: cached.conflicts ?? [],
    usage: { ...cached.usage, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 },
    policy: {
      ...cached.policy,
      ...(input.questionInjection ? { questionInjection: input.questionInjection } : {}),
    },
    cache: {
      hit: hit.kind,
      similarity: hit.similarity,
      cachedQuestion: hit.question,
      cachedAt: hit.createdAt,
    },
    timings: {
      embedMs: stageMs('cairn.embed'),
      retrieveMs: 0,
      rerankMs: 0,
      generateMs: 0,
      guardMs: stageMs('cairn.guard') + stageMs('cairn.cache'),
      totalMs: trace.durationMs,
      firstTokenMs: trace.durationMs,
    },
    traceId: trace.traceId,
  };
}

/** Keeps an answer with the versions of the documents it cites, so a change invalidates it. */
export async function storeInCache(
  cache: AskCacheOptions,
  options: AskOptions,
  namespace: string,
  fingerprint: string,
  question: string,
  embedding: Float32Array | undefined,
  result: AskResult,
): Promise<void> {
  const cited = [...new Set(result.citations.map((citation) => citation.docId))];
  const documents = await options.store.getDocuments(namespace, cited);
  const { traceId: _traceId, timings: _timings, cache: _cache, ...value } = result;
  await cache.cache.put({
    namespace,
    fingerprint,
    question,
    ...(embedding ? { embedding } : {}),
    value,
    citedVersions: documents.map((document) => ({ docId: document.id, contentHash: document.contentHash })),
  });
}
