import type { ScoredChunkId } from '../spec/index.ts';

/**
 * Reciprocal rank fusion (Cormack et al., 2009): score(d) = sum over lists of weight / (k + rank),
 * ranks 1-based. Uses ranks only, so BM25 and cosine scales never need calibrating.
 * @param k dampens the head of each list. @default 60
 */
export function reciprocalRankFusion(
  lists: ScoredChunkId[][],
  options: { k?: number; weights?: number[] } = {},
): ScoredChunkId[] {
  const k = options.k ?? 60;
  const fused = new Map<string, number>();
  lists.forEach((list, listIndex) => {
    const weight = options.weights?.[listIndex] ?? 1;
    list.forEach((hit, index) => {
      fused.set(hit.chunkId, (fused.get(hit.chunkId) ?? 0) + weight / (k + index + 1));
    });
  });
  return sortByScore(fused);
}

/** Sorts a score map into a descending list; ties keep first-seen order. */
export function sortByScore(scores: Map<string, number>): ScoredChunkId[] {
  return [...scores].map(([chunkId, score]) => ({ chunkId, score })).sort((a, b) => b.score - a.score);
}
