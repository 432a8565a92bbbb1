import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { RecordedSettings } from '../config/resolve-settings.ts';
import { type AskOptions, type AskResult, ask } from '../engine/ask.ts';
import type { Judge, Trace, TraceExporter } from '../spec/index.ts';
import { type AnswerMetrics, type JudgeNotes, scoreAnswer } from './answer-metrics.ts';
import { aggregateMetrics } from './compare/index.ts';
import type { EvalItemResult, EvalRun } from './eval-run.ts';
import { withEvaluationEvents } from './evaluation-events.ts';
import { type GoldenItem, loadGoldenSet } from './golden-set.ts';

/**
 * The `ask()` options an evaluation answers with: the same as serving (guard, policy fallback,
 * routing, deadline, retrieval, citation rule...), minus the per-request ones and the answer
 * cache, which an evaluation never uses.
 */
export type EvalAskOptions = Omit<
  AskOptions,
  'question' | 'cache' | 'onToken' | 'onRetry' | 'abortSignal' | 'retrieval'
> & { retrieval: NonNullable<AskOptions['retrieval']> };

/** Options of {@link runAnswerEval}. */
export interface AnswerEvalOptions extends EvalAskOptions {
  judge: Judge;
  goldenFile: string;
  split?: 'dev' | 'test';
  label?: string;
  /** Extra config recorded in the run (chunking, fusion...). */
  config: { embedder: string; chunking: Record<string, unknown>; promptVersion: string | null };
  /** The resolved settings (`recordSettings(resolvePipelineSettings(...))`), recorded in the run. */
  settings?: RecordedSettings;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Answers every golden item of a split through the real pipeline, scores each answer with the
 * judge, and returns a run that records config, prompt version, corpus and golden-set hashes,
 * per-item results and aggregates with bootstrap intervals.
 */
export async function runAnswerEval(options: AnswerEvalOptions): Promise<EvalRun> {
  const started = performance.now();
  const namespace = options.namespace ?? 'default';
  const items = loadGoldenSet(options.goldenFile, options.split);
  // Every ask() option is passed on as given, so an option serving gains is evaluated too.
  const {
    judge: _judge,
    goldenFile: _goldenFile,
    split: _split,
    label: _label,
    config: _config,
    settings: _settings,
    onProgress: _onProgress,
    ...askOptions
  } = options;
  const results: EvalItemResult[] = [];
  const exporter = askOptions.traceExporter;
  for (const [index, item] of items.entries()) {
    // Each answer's trace is held until it is judged, then exported with its scores as events.
    let answered: Trace | undefined;
    const holdTrace: TraceExporter = { export: (trace) => (answered = trace) };
    const result = await ask({
      ...askOptions,
      ...(exporter ? { traceExporter: holdTrace } : {}),
      namespace,
      question: item.question,
    });
    const { metrics, notes } = await scoreAnswer(
      {
        item,
        answer: result.answer,
        abstained: result.abstained,
        passages: result.passages,
        citedNumbers: result.citations.map((citation) => citation.n),
      },
      options.judge,
    );
    if (exporter && answered) exporter.export(withEvaluationEvents(answered, metrics, notes));
    results.push(toItemResult(item, result, metrics, notes));
    options.onProgress?.(index + 1, items.length);
  }
  const documents = await options.store.listDocuments(namespace);
  const corpusHash = createHash('sha256')
    .update(documents.map((document) => `${document.id}\t${document.contentHash}`).join('\n'))
    .digest('hex');
  const judgeUsage = options.judge.usage();
  const answerCosts = results.map((item) => item.metrics.cost_usd);
  const answerUsd = answerCosts.some((cost) => cost === null)
    ? null
    : answerCosts.reduce<number>((sum, cost) => sum + (cost ?? 0), 0);
  return {
    schemaVersion: 1,
    runId: randomUUID(),
    createdAt: new Date().toISOString(),
    tenant: namespace,
    label: options.label ?? options.answerer.id,
    ...(options.settings ? { settings: options.settings } : {}),
    config: {
      answerer: options.answerer.id,
      promptVersion: options.config.promptVersion,
      embedder: options.config.embedder,
      retrieval: { ...(options.retrieval ?? {}) } as Record<string, unknown>,
      chunking: options.config.chunking,
    },
    judge: {
      id: options.judge.id,
      kind: options.judge.kind,
      promptVersion: options.judge.promptVersion ?? null,
    },
    corpus: { hash: corpusHash, documents: documents.length },
    golden: {
      file: options.goldenFile,
      hash: createHash('sha256').update(fs.readFileSync(options.goldenFile)).digest('hex'),
      split: options.split ?? 'all',
      items: items.length,
    },
    items: results,
    aggregates: aggregateMetrics(results),
    latency: {
      embed: quantiles(results.map((item) => item.timings.embedMs)),
      retrieve: quantiles(results.map((item) => item.timings.retrieveMs)),
      generate: quantiles(results.map((item) => item.timings.generateMs)),
      guard: quantiles(results.map((item) => item.timings.guardMs)),
      total: quantiles(results.map((item) => item.timings.totalMs)),
    },
    cost: {
      answerUsd,
      judgeUsd: judgeUsage.costUsd,
      perQueryUsd: answerUsd === null || results.length === 0 ? null : answerUsd / results.length,
      judgeTokens: judgeUsage.inputTokens + judgeUsage.outputTokens,
    },
    wallMs: performance.now() - started,
  };
}

function toItemResult(
  item: GoldenItem,
  result: AskResult,
  metrics: AnswerMetrics,
  notes: JudgeNotes,
): EvalItemResult {
  return {
    id: item.id,
    question: item.question,
    tags: item.tags,
    answer: result.answer,
    abstained: result.abstained,
    ...(result.abstainReason ? { abstainReason: result.abstainReason } : {}),
    citations: result.citations.map((citation) => ({
      n: citation.n,
      docId: citation.docId,
      chunkId: citation.chunkId,
      source: citation.source,
    })),
    relevantDocIds: item.relevant_doc_ids,
    retrievedDocIds: result.passages.map((passage) => passage.docId),
    metrics: {
      ...metrics,
      cost_usd: result.usage.costUsd,
      latency_ms: result.timings.totalMs,
      tokens: result.usage.totalTokens,
    },
    notes,
    timings: {
      embedMs: result.timings.embedMs,
      retrieveMs: result.timings.retrieveMs,
      rerankMs: result.timings.rerankMs,
      generateMs: result.timings.generateMs,
      guardMs: result.timings.guardMs,
      totalMs: result.timings.totalMs,
    },
    traceId: result.traceId,
  };
}

/** p50 and p95 by nearest rank. */
export function quantiles(samples: number[]): { p50: number; p95: number } {
  if (samples.length === 0) return { p50: 0, p95: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  return { p50: at(0.5), p95: at(0.95) };
}
