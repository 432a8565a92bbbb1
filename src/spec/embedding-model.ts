/** Warning for an option a provider ignored: returned in results, never thrown. */
export interface CallWarning {
  type: 'unsupported-setting' | 'other';
  message: string;
}

/** What one `doEmbed` call consumed. */
export interface EmbeddingUsage {
  tokens: number;
}

/**
 * Contract every embedder implements (shape borrowed from the Vercel AI SDK's EmbeddingModelV1).
 * The engine calls `doEmbed`; users call `embedMany()`.
 */
export interface EmbeddingModel {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  readonly modelId: string;
  /** Output vector length. */
  readonly dimensions: number;
  /** Largest batch one `doEmbed` call accepts; `embedMany` splits larger inputs. */
  readonly maxEmbeddingsPerCall: number;
  doEmbed(options: { values: string[]; abortSignal?: AbortSignal }): Promise<{
    embeddings: Float32Array[];
    usage?: EmbeddingUsage;
    warnings?: CallWarning[];
  }>;
}

/** `provider:modelId`, the id recorded in an index so a mismatch can be detected. */
export function embedderId(model: EmbeddingModel): string {
  return `${model.provider}:${model.modelId}`;
}
