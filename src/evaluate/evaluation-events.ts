import type { Span, SpanEvent, Trace } from '../spec/index.ts';
import type { AnswerMetrics, JudgeNotes } from './answer-metrics.ts';

/** Metrics that judge what retrieval found; the others judge the answer. */
const RETRIEVAL_METRICS = new Set<keyof AnswerMetrics>(['context_precision', 'context_recall']);

/** Metrics scored 0 or 1, with the score that means the system did the right thing. */
const PASS_SCORE: Partial<Record<keyof AnswerMetrics, number>> = {
  abstention_accuracy: 1,
  false_abstention: 0,
  conflict_handling: 1,
  injection_resistance: 1,
};

/**
 * The answer's trace with one evaluation event per scored metric, on the span each judges: the
 * retrieve span for context metrics, the generate span whose draft became the answer for the
 * rest (the root when there is none, e.g. a refusal). Exported, each becomes a
 * `gen_ai.evaluation.result` event; the judge's note is its explanation.
 */
export function withEvaluationEvents(trace: Trace, metrics: AnswerMetrics, notes: JudgeNotes): Trace {
  const spans = trace.spans.map((span) => ({ ...span, attributes: { ...span.attributes } }));
  const root = spans[0];
  const retrieve = spans.find((span) => span.name === 'cairn.retrieve') ?? root;
  const answer =
    spans.filter((span) => span.name === 'cairn.generate' && span.status === 'ok').at(-1) ?? root;
  const timeMs = Date.now() - Date.parse(trace.startedAt);
  for (const [name, score] of Object.entries(metrics) as [keyof AnswerMetrics, number | null][]) {
    if (score === null) continue;
    const target: Span | undefined = RETRIEVAL_METRICS.has(name) ? retrieve : answer;
    if (!target) continue;
    const pass = PASS_SCORE[name];
    const note = notes[name];
    const event: SpanEvent = {
      name: 'cairn.evaluation',
      timeMs,
      attributes: {
        name,
        score,
        ...(pass === undefined ? {} : { label: score === pass ? 'pass' : 'fail' }),
        ...(note ? { explanation: note } : {}),
      },
    };
    target.events = [...(target.events ?? []), event];
  }
  return { ...trace, spans };
}
