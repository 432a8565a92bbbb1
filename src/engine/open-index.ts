import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOptions } from '../config/check-options.ts';
import { openIndexOptionsSchema } from '../config/option-schemas.ts';
import { createEmbedder, type EmbedderEndpoint } from '../embed/index.ts';
import {
  CairnError,
  type EmbeddingModel,
  type EvalRunRecord,
  embedderId,
  type IngestJobRecord,
  type Store,
} from '../spec/index.ts';
import { openStorage, type Storage, storageFilePath } from '../store/open-storage.ts';
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
 * Opens (or creates) a SQLite index file together with its embedder, synchronously (for scripts and
 * benchmarks; commands and the server use {@link openIndexStorage}). Queries reuse the embedder the
 * index was built with unless told otherwise, so `cairn search` needs no embedder flag. Options
 * are validated as the configuration is (`invalid_option` naming the option); the index's folder
 * must exist unless `createDirectories` is set.
 */
export function openIndex(options: OpenIndexOptions): OpenIndex {
  checkOptions('openIndex', openIndexOptionsSchema, options);
  checkFolder(options.indexPath, options.createDirectories ?? false);
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

/** An opened storage backend (every domain, documents included) with the embedder of its index. */
export interface OpenIndexStorage<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
> {
  storage: Storage<Job, Run>;
  embedder: EmbeddingModel;
}

/**
 * {@link openIndex} for any storage URL (`indexPath` may be a file, `sqlite:<file>` or
 * `postgres://…`): opens every domain through the storage registry, choosing the embedder the
 * index recorded unless told otherwise. A SQLite index's folder is checked as `openIndex` does.
 */
export async function openIndexStorage<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
>(options: OpenIndexOptions): Promise<OpenIndexStorage<Job, Run>> {
  checkOptions('openIndex', openIndexOptionsSchema, options);
  const file = storageFilePath(options.indexPath);
  if (file !== undefined) checkFolder(file, options.createDirectories ?? false);
  let embedder: EmbeddingModel | undefined;
  const storage = await openStorage<Job, Run>(options.indexPath, {
    embedder: (recorded) => {
      const spec = options.embedder ?? recorded?.embedderId ?? options.fallbackEmbedder ?? DEFAULT_EMBEDDER;
      const chosen = createEmbedder(spec, {
        ...options.endpoint,
        ...(recorded && !options.embedder ? { dimensions: recorded.dimensions } : {}),
      });
      embedder = chosen;
      return { embedderId: embedderId(chosen), dimensions: chosen.dimensions };
    },
    ...(options.reembed ? { reembed: true } : {}),
  });
  return { storage, embedder: embedder as EmbeddingModel };
}

function checkFolder(indexPath: string, create: boolean): void {
  if (indexPath === ':memory:') return;
  const folder = path.dirname(path.resolve(indexPath));
  if (create) fs.mkdirSync(folder, { recursive: true });
  else if (!fs.existsSync(folder)) {
    throw new CairnError(
      'invalid_option',
      `openIndex() option indexPath: the folder ${folder} does not exist; create it, or pass createDirectories: true`,
    );
  }
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
