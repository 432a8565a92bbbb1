import { dot } from '../embed/normalize-vector.ts';
import type { ScoredChunkId } from '../spec/index.ts';
import { minMaxNormalize } from './weighted-fusion.ts';

/**
 * Maximal marginal relevance (Carbonell & Goldstein, 1998): greedily picks the candidate with the
 * best lambda * relevance - (1 - lambda) * max similarity to those already picked. Relevance is the
 * candidate's min-max normalised score; similarity is cosine of unit embeddings.
 * Candidates without an embedding are treated as dissimilar to everything.
 * @param lambda 1 = pure relevance, 0 = pure diversity. @default 0.7
 */
export function maximalMarginalRelevance(
  candidates: ScoredChunkId[],
  embeddings: Map<string, Float32Array>,
  options: { k: number; lambda?: number },
): ScoredChunkId[] {
  const lambda = options.lambda ?? 0.7;
  const remaining = minMaxNormalize(candidates);
  const originalScore = new Map(candidates.map((hit) => [hit.chunkId, hit.score]));
  const selected: ScoredChunkId[] = [];
  const selectedVectors: Float32Array[] = [];
  while (selected.length < options.k && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    remaining.forEach((hit, index) => {
      const vector = embeddings.get(hit.chunkId);
      let redundancy = 0;
      if (vector)
        for (const chosen of selectedVectors) redundancy = Math.max(redundancy, dot(vector, chosen));
      const value = lambda * hit.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = index;
      }
    });
    const [best] = remaining.splice(bestIndex, 1);
    if (!best) break;
    selected.push({ chunkId: best.chunkId, score: originalScore.get(best.chunkId) ?? best.score });
    const vector = embeddings.get(best.chunkId);
    if (vector) selectedVectors.push(vector);
  }
  return selected;
}
