import { CairnError, type EmbeddingModel } from '../spec/index.ts';
import { createHashingEmbedder } from './hashing-embedder.ts';
import { createLocalEmbedder } from './local-embedder.ts';
import { createOpenAICompatibleEmbedder } from './openai-compatible-embedder.ts';

/** Settings for embedders that call a server; unused by `local` and `hashing`. */
export interface EmbedderEndpoint {
  baseURL?: string;
  apiKey?: string;
  dimensions?: number;
  /** Worker threads for the local model (ingestion); see {@link createLocalEmbedder}. */
  threads?: number;
}

/**
 * Resolves an embedder spec string: `local` (default, USE-lite), `hashing` or `hashing:<dims>`,
 * or `openai-compatible:<model>` with `baseURL` and `dimensions` from the endpoint settings.
 */
export function createEmbedder(spec: string, endpoint: EmbedderEndpoint = {}): EmbeddingModel {
  const separator = spec.indexOf(':');
  const provider = separator === -1 ? spec : spec.slice(0, separator);
  const modelId = separator === -1 ? '' : spec.slice(separator + 1);
  switch (provider) {
    case 'local':
      return createLocalEmbedder(endpoint.threads === undefined ? {} : { threads: endpoint.threads });
    case 'hashing': {
      const dimensions = modelId === '' ? 256 : Number(modelId.replace(/^hash-/, ''));
      if (!Number.isInteger(dimensions) || dimensions < 8) {
        throw new CairnError(
          'invalid_option',
          `embedder "${spec}": hashing dimensions must be an integer >= 8`,
        );
      }
      return createHashingEmbedder({ dimensions });
    }
    case 'openai-compatible': {
      if (modelId === '') {
        throw new CairnError(
          'invalid_option',
          `embedder "${spec}": name the model, e.g. openai-compatible:nomic-embed-text`,
        );
      }
      if (!endpoint.baseURL || !endpoint.dimensions) {
        throw new CairnError(
          'invalid_option',
          `embedder "${spec}" needs a base URL and dimensions: set CAIRN_EMBED_BASE_URL and CAIRN_EMBED_DIMENSIONS (or the config file)`,
        );
      }
      return createOpenAICompatibleEmbedder({
        baseURL: endpoint.baseURL,
        modelId,
        dimensions: endpoint.dimensions,
        ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
      });
    }
    default:
      throw new CairnError(
        'invalid_option',
        `unknown embedder "${spec}": use local, hashing[:dims] or openai-compatible:<model>`,
      );
  }
}
