import { type FusionOptions, type RetrievalMode, retrieve } from '../retrieve/index.ts';
import type { EmbeddingModel, Store } from '../spec/index.ts';
import type { BeirQuerySet } from './beir-dataset.ts';
import { meanMetrics, type QueryMetrics, scoreQuery } from './retrieval-metrics.ts';

/** Aggregate retrieval quality of one run, keyed as `cairn eval retrieval --json` prints it. */
export interface RetrievalEvaluation extends QueryMetrics {
  queries: number;
  mode: RetrievalMode;
  dataset: string;
  /** Mean retrieval latency per query in milliseconds (embedding included). */
  meanLatencyMs: number;
  perQuery: ({ queryId: string } & QueryMetrics)[];
}

/** Options of {@link evaluateRetrieval}. */
export interface EvaluateRetrievalOptions {
  store: Store;
  embedder: EmbeddingModel;
  querySet: BeirQuerySet;
  mode: RetrievalMode;
  namespace?: string;
  fusion?: FusionOptions;
  /** Documents ranked per query; metrics look at the top 100. @default 100 */
  depth?: number;
  /** Drop a retrieved doc whose id equals the query id (BEIR's default; matters for ArguAna). @default true */
  ignoreIdenticalIds?: boolean;
  /** Precomputed query vectors by query id, so parameter sweeps embed each query once. */
  queryEmbeddings?: Map<string, Float32Array>;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs every query of a BEIR split through retrieval, collapses chunk hits to documents (a
 * document ranks where its best chunk ranks) and scores the ranking with trec_eval definitions.
 */
export async function evaluateRetrieval(options: EvaluateRetrievalOptions): Promise<RetrievalEvaluation> {
  const depth = options.depth ?? 100;
  const perQuery: RetrievalEvaluation['perQuery'] = [];
  let latencyMs = 0;
  for (const [index, query] of options.querySet.queries.entries()) {
    const queryEmbedding = options.queryEmbeddings?.get(query.id);
    const { results, timings } = await retrieve({
      store: options.store,
      embedder: options.embedder,
      query: query.text,
      mode: options.mode,
      k: depth * 3,
      candidates: depth * 3,
      expandParents: false,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.fusion ? { fusion: options.fusion } : {}),
      ...(queryEmbedding ? { queryEmbedding } : {}),
    });
    latencyMs += timings.totalMs;
    const ranking: string[] = [];
    const seen = new Set<string>();
    for (const result of results) {
      if (seen.has(result.docId)) continue;
      if ((options.ignoreIdenticalIds ?? true) && result.docId === query.id) continue;
      seen.add(result.docId);
      ranking.push(result.docId);
      if (ranking.length === depth) break;
    }
    const judgements = options.querySet.judgements.get(query.id) ?? new Map<string, number>();
    perQuery.push({ queryId: query.id, ...scoreQuery(ranking, judgements) });
    options.onProgress?.(index + 1, options.querySet.queries.length);
  }
  return {
    ...meanMetrics(perQuery),
    queries: perQuery.length,
    mode: options.mode,
    dataset: options.querySet.name,
    meanLatencyMs: perQuery.length === 0 ? 0 : latencyMs / perQuery.length,
    perQuery,
  };
}
