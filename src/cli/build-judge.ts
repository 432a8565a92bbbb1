import type { CairnConfig } from '../config/index.ts';
import { createLlmJudge } from '../evaluate/llm-judge.ts';
import { createOfflineJudge } from '../evaluate/offline-judge.ts';
import { createLanguageModel } from '../generate/providers/index.ts';
import type { EmbeddingModel, Judge } from '../spec/index.ts';

/** The judge a configuration (or `--judge`) names: `offline` or an LLM provider spec. */
export function buildJudge(config: CairnConfig, embedder: EmbeddingModel, override?: string): Judge {
  const spec = override ?? config.judge.model;
  if (spec === 'offline') {
    return createOfflineJudge({
      embedder,
      ...(config.judge.supportThreshold === undefined
        ? {}
        : { supportThreshold: config.judge.supportThreshold }),
    });
  }
  const model = createLanguageModel(spec, {
    ...(config.judge.baseURL ? { baseURL: config.judge.baseURL } : {}),
    ...(config.judge.apiKey ? { apiKey: config.judge.apiKey } : {}),
  });
  return createLlmJudge({ model, prices: config.prices });
}
