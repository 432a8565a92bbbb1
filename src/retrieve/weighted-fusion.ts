import type { ScoredChunkId } from '../spec/index.ts';
import { sortByScore } from './reciprocal-rank-fusion.ts';

/**
 * Convex combination of min-max normalised scores: alpha * dense + (1 - alpha) * sparse.
 * A chunk missing from a list gets 0 from it. Sensitive to score scales, unlike RRF, but can
 * beat it when one retriever is clearly stronger.
 * @param alpha weight of the dense list. @default 0.5
 */
export function weightedFusion(
  sparse: ScoredChunkId[],
  dense: ScoredChunkId[],
  options: { alpha?: number } = {},
): ScoredChunkId[] {
  const alpha = options.alpha ?? 0.5;
  const fused = new Map<string, number>();
  for (const [list, weight] of [
    [sparse, 1 - alpha],
    [dense, alpha],
  ] as const) {
    for (const hit of minMaxNormalize(list)) {
      fused.set(hit.chunkId, (fused.get(hit.chunkId) ?? 0) + weight * hit.score);
    }
  }
  return sortByScore(fused);
}

/** Rescales scores to [0, 1]; a list whose scores are all equal maps to 1. */
export function minMaxNormalize(list: ScoredChunkId[]): ScoredChunkId[] {
  if (list.length === 0) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const hit of list) {
    min = Math.min(min, hit.score);
    max = Math.max(max, hit.score);
  }
  const range = max - min;
  return list.map((hit) => ({ chunkId: hit.chunkId, score: range === 0 ? 1 : (hit.score - min) / range }));
}
