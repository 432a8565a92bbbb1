import { CairnError, type EmbeddingModel } from '../spec/index.ts';

/** Options of {@link createBatchingEmbedder}. */
export interface BatchingOptions {
  /** Most texts per coalesced call; calls this large or larger go straight through. @default 16 */
  maxBatch?: number;
  /** Coalesced calls in flight at once (e.g. the local model's worker threads). @default 1 */
  concurrency?: number;
}

interface Pending {
  values: string[];
  resolve(embeddings: Float32Array[]): void;
  reject(error: unknown): void;
  abortSignal?: AbortSignal;
}

/**
 * Wraps an embedder so that small concurrent calls (one query each, as a server sees them) are
 * coalesced into batches: a lone call starts at once; calls that arrive while the model is busy
 * wait and go together in the next batch, which costs the model far less than one call each.
 */
export function createBatchingEmbedder(inner: EmbeddingModel, options: BatchingOptions = {}): EmbeddingModel {
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 16, inner.maxEmbeddingsPerCall));
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const queue: Pending[] = [];
  let running = 0;

  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const batch: Pending[] = [];
      let size = 0;
      while (queue.length > 0 && size + (queue[0] as Pending).values.length <= maxBatch) {
        const next = queue.shift() as Pending;
        if (next.abortSignal?.aborted) {
          next.reject(new CairnError('aborted', 'embedding cancelled'));
          continue;
        }
        batch.push(next);
        size += next.values.length;
      }
      if (batch.length === 0) continue;
      running += 1;
      inner
        .doEmbed({ values: batch.flatMap((pending) => pending.values) })
        .then(({ embeddings }) => {
          let offset = 0;
          for (const pending of batch) {
            pending.resolve(embeddings.slice(offset, offset + pending.values.length));
            offset += pending.values.length;
          }
        })
        .catch((error: unknown) => {
          for (const pending of batch) pending.reject(error);
        })
        .finally(() => {
          running -= 1;
          pump();
        });
    }
  };

  return {
    specificationVersion: 'v1',
    provider: inner.provider,
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    maxEmbeddingsPerCall: inner.maxEmbeddingsPerCall,
    async doEmbed({ values, abortSignal }) {
      if (values.length >= maxBatch)
        return inner.doEmbed({ values, ...(abortSignal ? { abortSignal } : {}) });
      const embeddings = await new Promise<Float32Array[]>((resolve, reject) => {
        queue.push({ values, resolve, reject, ...(abortSignal ? { abortSignal } : {}) });
        pump();
      });
      return { embeddings };
    },
  };
}
