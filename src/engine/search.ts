import { redactPii } from '../guard/index.ts';
import { type RetrieveOptions, type RetrieveOutput, retrieve } from '../retrieve/index.ts';
import type { TraceExporter, TraceParent } from '../spec/index.ts';
import { exportTrace } from '../trace/export-trace.ts';
import { Tracer } from '../trace/tracer.ts';

/** Options of {@link search}: one retrieval, plus where its trace goes. */
export interface SearchOptions extends Omit<RetrieveOptions, 'traceStep'> {
  traceExporter?: TraceExporter;
  /** The caller's span (a `traceparent` header): the trace takes its id and roots under it. */
  traceParent?: TraceParent;
}

/**
 * {@link retrieve} as a traced request (`/v1/search`, `cairn search`, the MCP search tool): one
 * `cairn.retrieve` root span, exported as `retrieval {namespace}`, with the ranked chunk ids and
 * scores, the query (redacted, exported only with content capture), and a child span per step
 * where it ran. Search traces are exported, not stored.
 */
export async function search(options: SearchOptions): Promise<RetrieveOutput & { traceId: string }> {
  const { traceExporter, traceParent, ...retrieval } = options;
  const namespace = options.namespace ?? 'default';
  const query = redactPii(options.query).text;
  const tracer = new Tracer({
    namespace,
    label: query.slice(0, 200),
    ...(traceParent ? { parent: traceParent } : {}),
  });
  try {
    const output = await tracer.span(
      'cairn.retrieve',
      {
        namespace,
        mode: options.mode ?? 'hybrid',
        ...(options.k === undefined ? {} : { k: options.k }),
        query: query.slice(0, 2000),
      },
      async (root) => {
        const output = await retrieve({ ...retrieval, traceStep: tracer.stepsUnder(root) });
        Object.assign(root.attributes, {
          docIds: output.results.map((result) => result.docId),
          chunkIds: output.results.map((result) => result.chunkId),
          scores: output.results.map((result) => Number(result.score.toFixed(6))),
        });
        return output;
      },
    );
    return { ...output, traceId: tracer.traceId };
  } finally {
    exportTrace(tracer.finish(), { traceExporter, traceParent });
  }
}
