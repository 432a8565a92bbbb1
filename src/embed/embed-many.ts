import { CairnError, type EmbeddingModel } from '../spec/index.ts';

/** Result of embedding many values: one vector per value, in input order. */
export interface EmbedManyResult {
  embeddings: Float32Array[];
  usage: { tokens: number };
  warnings: string[];
}

/**
 * Embeds any number of values, splitting them into calls of at most `maxEmbeddingsPerCall`.
 * Calls run one after another: the local model is CPU-bound and remote providers rate-limit.
 */
export async function embedMany(
  model: EmbeddingModel,
  values: string[],
  options: { abortSignal?: AbortSignal; batchSize?: number } = {},
): Promise<EmbedManyResult> {
  const batchSize = Math.max(
    1,
    Math.min(options.batchSize ?? model.maxEmbeddingsPerCall, model.maxEmbeddingsPerCall),
  );
  const embeddings: Float32Array[] = [];
  const warnings: string[] = [];
  let tokens = 0;
  for (let start = 0; start < values.length; start += batchSize) {
    options.abortSignal?.throwIfAborted();
    const batch = values.slice(start, start + batchSize);
    const result = await model.doEmbed({
      values: batch,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
    embeddings.push(...result.embeddings);
    tokens += result.usage?.tokens ?? 0;
    for (const warning of result.warnings ?? []) warnings.push(warning.message);
  }
  return { embeddings, usage: { tokens }, warnings };
}

/** Embeds a single value. */
export async function embed(
  model: EmbeddingModel,
  value: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<Float32Array> {
  const { embeddings } = await embedMany(model, [value], options);
  const [vector] = embeddings;
  if (!vector) throw new CairnError('internal', `${model.provider}:${model.modelId} returned no embedding`);
  return vector;
}
