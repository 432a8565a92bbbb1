/** Graded relevance judgements of one query: doc id -> grade (0 = judged non-relevant). */
export type QueryJudgements = Map<string, number>;

/** Per-query retrieval metrics, as trec_eval defines them. */
export interface QueryMetrics {
  'ndcg@10': number;
  'recall@10': number;
  'recall@100': number;
  'mrr@10': number;
  map: number;
}

/**
 * nDCG@k as trec_eval's `ndcg_cut.k`: gain = the judged grade (linear, not 2^g - 1),
 * discount 1 / log2(rank + 1), normalised by the ideal ordering of all judged-relevant docs.
 */
export function ndcgAtK(ranking: string[], judgements: QueryJudgements, k: number): number {
  let dcg = 0;
  ranking.slice(0, k).forEach((docId, index) => {
    dcg += (judgements.get(docId) ?? 0) / Math.log2(index + 2);
  });
  const ideal = [...judgements.values()]
    .filter((grade) => grade > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idealDcg = ideal.reduce((sum, grade, index) => sum + grade / Math.log2(index + 2), 0);
  return idealDcg === 0 ? 0 : dcg / idealDcg;
}

/** Recall@k: relevant docs in the top k over all relevant docs (grade > 0). */
export function recallAtK(ranking: string[], judgements: QueryJudgements, k: number): number {
  const relevant = countRelevant(judgements);
  if (relevant === 0) return 0;
  const found = ranking.slice(0, k).filter((docId) => (judgements.get(docId) ?? 0) > 0).length;
  return found / relevant;
}

/** MRR@k: 1 / rank of the first relevant doc within the top k, else 0. */
export function mrrAtK(ranking: string[], judgements: QueryJudgements, k: number): number {
  const index = ranking.slice(0, k).findIndex((docId) => (judgements.get(docId) ?? 0) > 0);
  return index === -1 ? 0 : 1 / (index + 1);
}

/**
 * Average precision as trec_eval's `map`: the mean, over all relevant docs, of precision at the
 * rank each is retrieved (0 for relevant docs never retrieved). Computed over the whole ranking given.
 */
export function averagePrecision(ranking: string[], judgements: QueryJudgements): number {
  const relevant = countRelevant(judgements);
  if (relevant === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranking.forEach((docId, index) => {
    if ((judgements.get(docId) ?? 0) > 0) {
      hits += 1;
      sum += hits / (index + 1);
    }
  });
  return sum / relevant;
}

/** All five metrics for one query. The ranking must already be deduplicated to documents. */
export function scoreQuery(ranking: string[], judgements: QueryJudgements): QueryMetrics {
  return {
    'ndcg@10': ndcgAtK(ranking, judgements, 10),
    'recall@10': recallAtK(ranking, judgements, 10),
    'recall@100': recallAtK(ranking, judgements, 100),
    'mrr@10': mrrAtK(ranking, judgements, 10),
    map: averagePrecision(ranking, judgements),
  };
}

/** Mean of each metric over queries. */
export function meanMetrics(perQuery: QueryMetrics[]): QueryMetrics {
  const keys = ['ndcg@10', 'recall@10', 'recall@100', 'mrr@10', 'map'] as const;
  const mean = {} as QueryMetrics;
  for (const key of keys) {
    mean[key] =
      perQuery.length === 0 ? 0 : perQuery.reduce((sum, metrics) => sum + metrics[key], 0) / perQuery.length;
  }
  return mean;
}

function countRelevant(judgements: QueryJudgements): number {
  let count = 0;
  for (const grade of judgements.values()) if (grade > 0) count += 1;
  return count;
}
