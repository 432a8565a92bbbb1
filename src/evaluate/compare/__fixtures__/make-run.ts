import type { AnswerMetrics } from '../../answer-metrics.ts';
import type { EvalItemResult, EvalRun } from '../../eval-run.ts';
import { aggregateMetrics } from '../aggregate-metrics.ts';

const EMPTY: AnswerMetrics = {
  faithfulness: null,
  answer_relevance: null,
  context_precision: null,
  context_recall: null,
  citation_accuracy: null,
  citation_coverage: null,
  abstention_accuracy: null,
  false_abstention: null,
  conflict_handling: null,
  injection_resistance: null,
  key_fact_recall: null,
  token_f1: null,
  answer_correctness: null,
};

/** An item with the given metric values (unlisted ones unmeasured). */
export function makeItem(
  id: string,
  metrics: Partial<EvalItemResult['metrics']>,
  extra: Partial<EvalItemResult> = {},
): EvalItemResult {
  return {
    id,
    question: `question ${id}`,
    tags: [],
    answer: `answer ${id} [1]`,
    abstained: false,
    citations: [{ n: 1, docId: 'doc', chunkId: 'doc#0', source: 'doc.md' }],
    relevantDocIds: ['doc'],
    retrievedDocIds: ['doc'],
    metrics: { ...EMPTY, cost_usd: 0, latency_ms: 100, tokens: 0, ...metrics },
    notes: {},
    timings: { embedMs: 5, retrieveMs: 10, rerankMs: 0, generateMs: 80, guardMs: 1, totalMs: 100 },
    traceId: `trace-${id}`,
    ...extra,
  };
}

/** A run over the given items, aggregated as the real runner does. */
export function makeRun(label: string, items: EvalItemResult[], overrides: Partial<EvalRun> = {}): EvalRun {
  return {
    schemaVersion: 1,
    runId: `run-${label}`,
    createdAt: '2026-11-24T00:00:00.000Z',
    label,
    config: {
      answerer: 'extractive',
      promptVersion: null,
      embedder: 'local:use-lite-512',
      retrieval: {},
      chunking: {},
    },
    judge: { id: 'offline:test', kind: 'offline', promptVersion: null },
    corpus: { hash: 'c0ffee', documents: 3 },
    golden: { file: 'golden.jsonl', hash: 'g01d', split: 'test', items: items.length },
    items,
    aggregates: aggregateMetrics(items),
    latency: {
      embed: { p50: 5, p95: 6 },
      retrieve: { p50: 10, p95: 12 },
      generate: { p50: 80, p95: 90 },
      guard: { p50: 1, p95: 1 },
      total: { p50: 100, p95: 120 },
    },
    cost: { answerUsd: 0, judgeUsd: 0, perQueryUsd: 0, judgeTokens: 0 },
    wallMs: 1000,
    ...overrides,
  };
}
