import type { RecordedSettings } from '../config/resolve-settings.ts';
import type { AnswerMetrics, JudgeNotes } from './answer-metrics.ts';

/** Cost, size and speed metrics recorded per item next to the quality metrics. */
export interface OperationalMetrics {
  /** US dollars for answering (not judging); null when the model is unpriced. */
  cost_usd: number | null;
  /** End-to-end answer latency in milliseconds. */
  latency_ms: number;
  /** Input plus output tokens of the answer. */
  tokens: number;
}

/** Every metric name a run aggregates. */
export type MetricName = keyof AnswerMetrics | keyof OperationalMetrics;

/** One golden item's outcome in a run. */
export interface EvalItemResult {
  id: string;
  question: string;
  tags: string[];
  answer: string;
  abstained: boolean;
  abstainReason?: string;
  citations: { n: number; docId: string; chunkId: string; source: string }[];
  relevantDocIds: string[];
  retrievedDocIds: string[];
  metrics: AnswerMetrics & OperationalMetrics;
  /** Judge reasoning per metric, for failing items. */
  notes: JudgeNotes;
  timings: {
    embedMs: number;
    retrieveMs: number;
    rerankMs: number;
    generateMs: number;
    guardMs: number;
    totalMs: number;
  };
  traceId: string;
}

/** Mean of a metric over the items where it was measured, with a bootstrap 95% interval. */
export interface MetricAggregate {
  mean: number | null;
  /** Items where the metric applied. */
  n: number;
  /** Items where it did not apply or could not be computed. */
  unmeasured: number;
  ci95: [number, number] | null;
}

/** A stored evaluation run: enough to reproduce it and to compare it with another. */
export interface EvalRun {
  schemaVersion: 1;
  runId: string;
  createdAt: string;
  /**
   * The tenant (namespace) whose documents the run answered from; only that tenant sees the run.
   * Runs made before runs had tenants lack it and count as the `default` tenant's.
   */
  tenant?: string;
  label: string;
  /**
   * The pipeline settings the run answered with (secrets masked) and their fingerprint, which
   * `cairn ask --json` also prints. Runs made before settings were recorded lack it.
   */
  settings?: RecordedSettings;
  config: {
    answerer: string;
    promptVersion: string | null;
    embedder: string;
    retrieval: Record<string, unknown>;
    chunking: Record<string, unknown>;
  };
  judge: { id: string; kind: 'offline' | 'llm'; promptVersion: string | null };
  /** sha256 over the indexed documents' ids and content hashes. */
  corpus: { hash: string; documents: number };
  golden: { file: string; hash: string; split: string; items: number };
  items: EvalItemResult[];
  aggregates: Partial<Record<MetricName, MetricAggregate>>;
  latency: Record<'embed' | 'retrieve' | 'generate' | 'guard' | 'total', { p50: number; p95: number }>;
  cost: {
    answerUsd: number | null;
    judgeUsd: number | null;
    perQueryUsd: number | null;
    judgeTokens: number;
  };
  wallMs: number;
}
