import { checkOptions } from '../config/check-options.ts';
import { retrieveOptionsSchema } from '../config/option-schemas.ts';
import { embed } from '../embed/embed-many.ts';
import {
  CairnError,
  type ChunkMetadata,
  type EmbeddingModel,
  embedderId,
  type MetadataFilter,
  type ScoredChunkId,
  type SpanAttributes,
  type SpanName,
  type Store,
  type StoredChunk,
  type TraceStep,
} from '../spec/index.ts';
import { maximalMarginalRelevance } from './maximal-marginal-relevance.ts';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.ts';
import { weightedFusion } from './weighted-fusion.ts';

/** Which retrievers run. */
export type RetrievalMode = 'bm25' | 'dense' | 'hybrid';

/** How hybrid mode combines the two lists. */
export type FusionOptions =
  | { method: 'rrf'; k?: number; weights?: { bm25: number; dense: number } | undefined }
  | { method: 'weighted'; alpha?: number };

/**
 * Hybrid fusion used unless told otherwise: weighted, 0.2 on the dense list. Chosen on the SciFact
 * *train* split among RRF and weighted settings (`npx tsx bench/chunking-sweep.ts`); with the
 * weak bundled embedder, RRF's equal votes let dense noise push out good BM25 hits.
 */
export const DEFAULT_FUSION = { method: 'weighted', alpha: 0.2 } as const satisfies FusionOptions;

/** Options of one retrieval. */
export interface RetrieveOptions {
  store: Store;
  embedder: EmbeddingModel;
  query: string;
  /** @default 'default' */
  namespace?: string;
  /** @default 'hybrid' */
  mode?: RetrievalMode;
  /** Results returned. @default 10 */
  k?: number;
  /** Candidates taken from each retriever before fusion. @default max(50, 5 * k) */
  candidates?: number;
  /** @default DEFAULT_FUSION */
  fusion?: FusionOptions;
  /** Diversify the final list with maximal marginal relevance. */
  mmr?: { lambda?: number };
  filter?: MetadataFilter;
  /** Search documents quarantined at ingest too (for reviewers). @default false */
  includeQuarantined?: boolean;
  /** Return a matched child's parent section instead of the child. @default true */
  expandParents?: boolean;
  /** A precomputed query vector; skips the embedding step. */
  queryEmbedding?: Float32Array;
  /** Wraps each step (bm25, dense, fuse, query embedding) in a span where it runs. */
  traceStep?: TraceStep;
  abortSignal?: AbortSignal;
}

/** One ranked result, as shown to users and serialised by `search --json`. */
export interface RetrievalResult {
  rank: number;
  score: number;
  chunkId: string;
  docId: string;
  source: string;
  title: string;
  text: string;
  metadata: ChunkMetadata;
  /** The child chunk that matched, when the result was expanded to its parent. */
  matchedChunkId?: string;
}

/** Milliseconds spent per retrieval step. */
export interface RetrievalTimings {
  embedMs: number;
  bm25Ms: number;
  denseMs: number;
  fuseMs: number;
  totalMs: number;
}

/** Ranked results plus the time each step took. */
export interface RetrieveOutput {
  results: RetrievalResult[];
  timings: RetrievalTimings;
}

/** How many hits of each retriever are fused when the caller does not say: 50, or 5 per result. */
export function defaultCandidates(k: number): number {
  return Math.max(50, 5 * k);
}

/**
 * Runs BM25, dense or hybrid retrieval against a store, then optional MMR and parent expansion.
 * Every store call is scoped to one namespace and filter.
 */
export async function retrieve(options: RetrieveOptions): Promise<RetrieveOutput> {
  checkOptions('retrieve', retrieveOptionsSchema, options);
  const started = performance.now();
  const mode = options.mode ?? 'hybrid';
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1)
    throw new CairnError('invalid_option', `k must be a positive integer, got ${k}`);
  const candidates = Math.max(options.candidates ?? defaultCandidates(k), k);
  const namespace = options.namespace ?? 'default';
  const queryOptions = {
    namespace,
    k: candidates,
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.includeQuarantined ? { includeQuarantined: true } : {}),
  };
  const timings: RetrievalTimings = { embedMs: 0, bm25Ms: 0, denseMs: 0, fuseMs: 0, totalMs: 0 };

  const step = options.traceStep ?? untraced;
  // Each step is timed (for `timings`) and traced (when asked) where it runs.
  const measured = <T>(
    name: SpanName,
    timing: Exclude<keyof RetrievalTimings, 'totalMs'>,
    work: () => Promise<T>,
    attributes?: SpanAttributes,
  ): Promise<T> =>
    step(
      name,
      async () => {
        const t = performance.now();
        try {
          return await work();
        } finally {
          timings[timing] = performance.now() - t;
        }
      },
      attributes,
    );
  const searchText = async (): Promise<ScoredChunkId[]> =>
    mode === 'dense'
      ? []
      : measured('cairn.retrieve.bm25', 'bm25Ms', () =>
          options.store.searchText(options.query, queryOptions),
        );
  const searchVector = async (): Promise<ScoredChunkId[]> => {
    if (mode === 'bm25') return [];
    const vector =
      options.queryEmbedding ??
      (await measured(
        'cairn.embed',
        'embedMs',
        () => embed(options.embedder, options.query, signalOption(options.abortSignal)),
        { model: embedderId(options.embedder) },
      ));
    return measured('cairn.retrieve.dense', 'denseMs', () =>
      options.store.searchVector(vector, queryOptions),
    );
  };
  // The two retrievers are independent: a store that answers concurrently (Postgres) or a query
  // still being embedded no longer holds up the other side.
  const [sparse, dense] = await Promise.all([searchText(), searchVector()]);
  const fused = await measured('cairn.retrieve.fuse', 'fuseMs', () =>
    fuseAndLoad(options, mode, sparse, dense, candidates, k, namespace),
  );
  timings.totalMs = performance.now() - started;
  return { results: fused, timings };
}

/** Fuses the two lists (hybrid), diversifies with MMR when asked, and loads the top k. */
async function fuseAndLoad(
  options: RetrieveOptions,
  mode: RetrievalMode,
  sparse: ScoredChunkId[],
  dense: ScoredChunkId[],
  candidates: number,
  k: number,
  namespace: string,
): Promise<RetrievalResult[]> {
  let ranked: ScoredChunkId[];
  if (mode === 'bm25') ranked = sparse;
  else if (mode === 'dense') ranked = dense;
  else {
    const fusion = options.fusion ?? DEFAULT_FUSION;
    ranked =
      fusion.method === 'rrf'
        ? reciprocalRankFusion([sparse, dense], {
            ...(fusion.k === undefined ? {} : { k: fusion.k }),
            ...(fusion.weights ? { weights: [fusion.weights.bm25, fusion.weights.dense] } : {}),
          })
        : weightedFusion(sparse, dense, fusion.alpha === undefined ? {} : { alpha: fusion.alpha });
  }
  if (options.mmr) {
    const pool = ranked.slice(0, candidates);
    const embeddings = await options.store.getEmbeddings(
      namespace,
      pool.map((hit) => hit.chunkId),
    );
    ranked = maximalMarginalRelevance(pool, embeddings, {
      k: candidates,
      ...(options.mmr.lambda === undefined ? {} : { lambda: options.mmr.lambda }),
    });
  }
  return materialize(options.store, namespace, ranked, k, options.expandParents ?? true);
}

/** The step runner when nobody traces: runs the work and nothing else. */
const untraced: TraceStep = (_name, work) => work();

/** Loads chunk texts for the top of the ranking, swapping children for their parents (deduplicated). */
async function materialize(
  store: Store,
  namespace: string,
  ranked: ScoredChunkId[],
  k: number,
  expandParents: boolean,
): Promise<RetrievalResult[]> {
  const results: RetrievalResult[] = [];
  const seen = new Set<string>();
  // Children of one parent collapse into one result, so read ahead in batches until k are found.
  for (let offset = 0; offset < ranked.length && results.length < k; offset += 2 * k) {
    const window = ranked.slice(offset, offset + 2 * k);
    const chunks = new Map(
      (
        await store.getChunks(
          namespace,
          window.map((hit) => hit.chunkId),
        )
      ).map((c) => [c.id, c]),
    );
    const parentIds = expandParents
      ? [...new Set([...chunks.values()].flatMap((chunk) => (chunk.parentId ? [chunk.parentId] : [])))]
      : [];
    const parents = new Map((await store.getChunks(namespace, parentIds)).map((c) => [c.id, c]));
    for (const hit of window) {
      const matched = chunks.get(hit.chunkId);
      if (!matched) continue;
      const parent = matched.parentId ? parents.get(matched.parentId) : undefined;
      const shown: StoredChunk = parent ?? matched;
      if (seen.has(shown.id)) continue;
      seen.add(shown.id);
      results.push({
        rank: results.length + 1,
        score: hit.score,
        chunkId: shown.id,
        docId: shown.docId,
        source: shown.source,
        title: shown.title,
        text: shown.text,
        metadata: shown.metadata,
        ...(parent ? { matchedChunkId: matched.id } : {}),
      });
      if (results.length === k) break;
    }
  }
  return results;
}

function signalOption(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}
