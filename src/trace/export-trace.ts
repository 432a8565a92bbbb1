import type { Trace, TraceExporter, TraceParent } from '../spec/index.ts';

/**
 * Hands a finished trace to the exporter, unless the caller's `traceparent` said it does not
 * sample this trace: then it is only stored, as a parent-based sampler would decide.
 */
export function exportTrace(
  trace: Trace,
  options: { traceExporter?: TraceExporter | undefined; traceParent?: TraceParent | undefined },
): void {
  if (options.traceParent?.sampled === false) return;
  options.traceExporter?.export(trace);
}
