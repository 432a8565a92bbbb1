import { redactPii } from '../guard/index.ts';
import type { Span, SpanAttributes, SpanName, Trace } from '../spec/index.ts';
import { exportTrace } from '../trace/export-trace.ts';
import type { Tracer } from '../trace/tracer.ts';
import type { AskOptions } from './ask-types.ts';

/**
 * Ends an answer's trace: records the question and answer on the root span, always redacted
 * (traces are read by more people than answers), saves the trace, and returns it with the summed
 * duration of each stage.
 */
export async function closeTrace(input: {
  tracer: Tracer;
  root: Span;
  options: AskOptions;
  answer: string;
  abstained: boolean;
  attributes?: SpanAttributes;
}): Promise<{ trace: Trace; stageMs: (name: SpanName) => number }> {
  const { tracer, root, options } = input;
  Object.assign(root.attributes, {
    question: redactPii(options.question).text.slice(0, 2000),
    answer: redactPii(input.answer).text.slice(0, 4000),
    abstained: input.abstained,
    ...input.attributes,
  });
  tracer.end(root);
  const trace = tracer.finish();
  await options.traceStore?.saveTrace(trace);
  exportTrace(trace, options);
  const stageMs = (name: SpanName) =>
    trace.spans.filter((span) => span.name === name).reduce((sum, span) => sum + span.durationMs, 0);
  return { trace, stageMs };
}
