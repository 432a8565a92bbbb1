/** Every span name cairn emits: a closed set, so dashboards and tests can rely on it. */
export type SpanName =
  | 'cairn.ask'
  | 'cairn.cache'
  | 'cairn.embed'
  | 'cairn.retrieve'
  | 'cairn.retrieve.bm25'
  | 'cairn.retrieve.dense'
  | 'cairn.retrieve.fuse'
  | 'cairn.rerank'
  | 'cairn.generate'
  | 'cairn.guard';

/** Attribute values a span may carry. */
export type SpanAttributes = Record<string, string | number | boolean | string[] | number[] | null>;

/** One timed step of a request. Times are milliseconds since the trace started. */
export interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: SpanName;
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error';
  attributes: SpanAttributes;
}

/** A whole request: its spans plus a summary for listing. */
export interface Trace {
  traceId: string;
  namespace: string;
  /** ISO timestamp of the request. */
  startedAt: string;
  durationMs: number;
  /** Short label, e.g. the question (PII-redacted once guardrails exist). */
  label: string;
  spans: Span[];
}

/** Where traces are kept, per namespace. */
export interface TraceStore {
  /** Stores a trace, replacing one with the same namespace and id. */
  saveTrace(trace: Trace): Promise<void>;
  getTrace(namespace: string, traceId: string): Promise<Trace | undefined>;
  /** Summaries newest first (by `startedAt`). @default limit 50 */
  listTraces(namespace: string, options?: { limit?: number }): Promise<Omit<Trace, 'spans'>[]>;
  close(): Promise<void>;
}
