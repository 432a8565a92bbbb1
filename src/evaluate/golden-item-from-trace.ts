import type { Trace } from '../spec/index.ts';
import type { GoldenItem } from './golden-set.ts';

/** How a traced answer becomes a golden item; every field has a default drawn from the trace. */
export interface GoldenItemFromTraceOptions {
  /** @default `trace-<first 8 characters of the trace id>` */
  id?: string;
  /** @default the traced answer ('' when out of scope) */
  reference?: string;
  /** @default the documents the final answer cited (none when out of scope) */
  relevantDocIds?: string[];
  tags?: string[];
  /** The right behaviour is to abstain. @default false */
  outOfScope?: boolean;
  /** @default 'dev' */
  split?: 'dev' | 'test';
}

/** The question and answer a trace recorded (the root `cairn.ask` span), or the label. */
export function tracedQuestionAndAnswer(trace: Trace): { question: string; answer: string } {
  const root = trace.spans.find((span) => span.name === 'cairn.ask');
  return {
    question: String(root?.attributes.question ?? trace.label),
    answer: String(root?.attributes.answer ?? ''),
  };
}

/**
 * A golden item from a stored answer: its question, the documents it cited as relevant, and its
 * answer as the reference, each overridable. Tagged `from-trace` (and `out-of-scope` when so).
 */
export function goldenItemFromTrace(trace: Trace, options: GoldenItemFromTraceOptions = {}): GoldenItem {
  const { question, answer } = tracedQuestionAndAnswer(trace);
  // The redaction step records which documents the final answer cited.
  const guard = trace.spans.find(
    (span) => span.name === 'cairn.guard' && span.attributes.check === 'redaction',
  );
  const cited = Array.isArray(guard?.attributes.citedDocIds)
    ? (guard.attributes.citedDocIds as string[])
    : [];
  const outOfScope = options.outOfScope ?? false;
  return {
    id: options.id ?? `trace-${trace.traceId.slice(0, 8)}`,
    question,
    reference_answer: outOfScope ? '' : (options.reference ?? answer),
    relevant_doc_ids: outOfScope ? [] : (options.relevantDocIds ?? [...new Set(cited)]),
    tags: [...new Set([...(options.tags ?? []), ...(outOfScope ? ['out-of-scope'] : []), 'from-trace'])],
    split: options.split ?? 'dev',
  };
}
