import type { LanguageModelUsage } from '../spec/index.ts';

/** Price of a model in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * Cost of one call in US dollars, or undefined when the model has no price configured (shown as
 * "unpriced" rather than a misleading $0). Local models cost nothing by definition.
 */
export function costOf(
  usage: Pick<LanguageModelUsage, 'inputTokens' | 'outputTokens'>,
  modelId: string,
  prices: Record<string, ModelPrice>,
): number | undefined {
  if (modelId === 'extractive' || modelId.startsWith('local:')) return 0;
  const price = prices[modelId] ?? prices[modelId.replace(/^[^:]+:/, '')];
  if (!price) return undefined;
  return (
    (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000
  );
}
