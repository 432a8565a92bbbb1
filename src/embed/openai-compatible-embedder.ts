import { ApiCallError, CairnError, type EmbeddingModel } from '../spec/index.ts';
import { normalizeVector } from './normalize-vector.ts';

/** Settings of an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, LM Studio...). */
export interface OpenAICompatibleEmbedderSettings {
  /** Base URL including the version path, e.g. `http://127.0.0.1:11434/v1`. */
  baseURL: string;
  apiKey?: string;
  modelId: string;
  /** Vector length the model returns; checked on every response. */
  dimensions: number;
  /** @default 64 */
  maxEmbeddingsPerCall?: number;
  /** Per-request timeout in milliseconds. @default 30000 */
  timeoutMs?: number;
}

interface EmbeddingsResponse {
  data?: { embedding?: unknown; index?: number }[];
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/** Embedder that calls `POST {baseURL}/embeddings` with the OpenAI request and response shapes. */
export function createOpenAICompatibleEmbedder(settings: OpenAICompatibleEmbedderSettings): EmbeddingModel {
  const url = `${settings.baseURL.replace(/\/+$/, '')}/embeddings`;
  const timeoutMs = settings.timeoutMs ?? 30_000;
  return {
    specificationVersion: 'v1',
    provider: 'openai-compatible',
    modelId: settings.modelId,
    dimensions: settings.dimensions,
    maxEmbeddingsPerCall: settings.maxEmbeddingsPerCall ?? 64,
    async doEmbed({ values, abortSignal }) {
      const signals = [AbortSignal.timeout(timeoutMs), ...(abortSignal ? [abortSignal] : [])];
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
          },
          body: JSON.stringify({ model: settings.modelId, input: values, encoding_format: 'float' }),
          signal: AbortSignal.any(signals),
        });
      } catch (cause) {
        if (abortSignal?.aborted)
          throw new CairnError('aborted', `embedding request to ${url} was cancelled`);
        throw new ApiCallError({
          message: `embedding request to ${url} failed: ${describe(cause)}`,
          url,
          cause,
        });
      }
      const body = await response.text();
      if (!response.ok) {
        throw new ApiCallError({
          message: `embedding request to ${url} returned HTTP ${response.status}: ${body.slice(0, 200)}`,
          url,
          status: response.status,
          responseBody: body,
        });
      }
      const { embeddings, tokens } = parseEmbeddings(body, url, values.length, settings.dimensions);
      return { embeddings, ...(tokens === undefined ? {} : { usage: { tokens } }) };
    },
  };
}

function parseEmbeddings(
  body: string,
  url: string,
  expectedCount: number,
  dimensions: number,
): { embeddings: Float32Array[]; tokens: number | undefined } {
  let parsed: EmbeddingsResponse;
  try {
    parsed = JSON.parse(body) as EmbeddingsResponse;
  } catch (cause) {
    throw new ApiCallError({
      message: `${url} returned a body that is not JSON`,
      url,
      status: 200,
      responseBody: body,
      isRetryable: true,
      cause,
    });
  }
  const data = Array.isArray(parsed.data) ? parsed.data : undefined;
  if (!data || data.length !== expectedCount) {
    throw new ApiCallError({
      message: `${url} returned ${data?.length ?? 'no'} embeddings for ${expectedCount} inputs`,
      url,
      status: 200,
      responseBody: body.slice(0, 500),
      isRetryable: false,
    });
  }
  const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const embeddings = ordered.map((item) => {
    const values = item.embedding;
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'number')) {
      throw new ApiCallError({
        message: `${url} returned an embedding that is not a list of numbers`,
        url,
        status: 200,
        isRetryable: false,
      });
    }
    if (values.length !== dimensions) {
      throw new CairnError(
        'dimension_mismatch',
        `${url} returned ${values.length}-d embeddings but ${dimensions} were configured; set the embedder's dimensions to ${values.length}`,
      );
    }
    return normalizeVector(Float32Array.from(values as number[]));
  });
  return { embeddings, tokens: parsed.usage?.prompt_tokens ?? parsed.usage?.total_tokens };
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
