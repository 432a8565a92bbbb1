import os from 'node:os';
import { createEmbedder, type EmbedderEndpoint } from '../embed/index.ts';
import { type EmbeddingModel, embedderId, type Store } from '../spec/index.ts';
import { openSqliteStore, readIndexEmbedder } from '../store/sqlite/index.ts';

/** The embedder used when neither the caller nor an existing index names one. */
export const DEFAULT_EMBEDDER = 'local';

/** Options of {@link openIndex}. */
export interface OpenIndexOptions {
  indexPath: string;
  /** Embedder spec; defaults to the one recorded in the index, else `fallbackEmbedder`. */
  embedder?: string;
  /** Used when neither `embedder` nor the index names one. @default DEFAULT_EMBEDDER */
  fallbackEmbedder?: string;
  endpoint?: EmbedderEndpoint;
  reembed?: boolean;
}

/** An open index with the embedder that must be used with it. */
export interface OpenIndex {
  store: Store;
  embedder: EmbeddingModel;
}

/**
 * Opens (or creates) an index file together with its embedder. Queries reuse the embedder the
 * index was built with unless told otherwise, so `cairn search` needs no embedder flag.
 */
export function openIndex(options: OpenIndexOptions): OpenIndex {
  const recorded = readIndexEmbedder(options.indexPath);
  const spec = options.embedder ?? recorded?.embedderId ?? options.fallbackEmbedder ?? DEFAULT_EMBEDDER;
  const endpoint: EmbedderEndpoint = {
    ...options.endpoint,
    ...(recorded && !options.embedder ? { dimensions: recorded.dimensions } : {}),
  };
  const embedder = createEmbedder(spec, endpoint);
  const store = openSqliteStore({
    path: options.indexPath,
    embedder: { embedderId: embedderId(embedder), dimensions: embedder.dimensions },
    ...(options.reembed ? { reembed: true } : {}),
  });
  return { store, embedder };
}

/**
 * Local-model threads for bulk embedding: `CAIRN_EMBED_THREADS`, else one per core up to 4
 * (each thread holds its own ~250 MB copy of the model).
 */
export function ingestThreads(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.CAIRN_EMBED_THREADS);
  if (Number.isInteger(configured) && configured > 0) return configured;
  return Math.max(1, Math.min(4, os.availableParallelism()));
}
