import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOptions } from '../config/check-options.ts';
import { openIndexOptionsSchema } from '../config/option-schemas.ts';
import { createEmbedder, type EmbedderEndpoint } from '../embed/index.ts';
import { CairnError, type EmbeddingModel, embedderId, type Store } from '../spec/index.ts';
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
  /**
   * Create the index file's missing parent folders. Without it a missing folder is an
   * `invalid_option` error naming it, so a mistyped path never leaves a stray tree behind.
   * @default false
   */
  createDirectories?: boolean;
}

/** An open index with the embedder that must be used with it. */
export interface OpenIndex {
  store: Store;
  embedder: EmbeddingModel;
}

/**
 * Opens (or creates) an index file together with its embedder. Queries reuse the embedder the
 * index was built with unless told otherwise, so `cairn search` needs no embedder flag. Options
 * are validated as the configuration is (`invalid_option` naming the option); the index's folder
 * must exist unless `createDirectories` is set.
 */
export function openIndex(options: OpenIndexOptions): OpenIndex {
  checkOptions('openIndex', openIndexOptionsSchema, options);
  if (options.indexPath !== ':memory:') {
    const folder = path.dirname(path.resolve(options.indexPath));
    if (options.createDirectories) fs.mkdirSync(folder, { recursive: true });
    else if (!fs.existsSync(folder)) {
      throw new CairnError(
        'invalid_option',
        `openIndex() option indexPath: the folder ${folder} does not exist; create it, or pass createDirectories: true`,
      );
    }
  }
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
