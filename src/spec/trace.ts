/** Every span name cairn emits: a closed set, so dashboards and tests can rely on it. */
export type SpanName =
  | 'cairn.ask'
  | 'cairn.cache'
  | 'cairn.embed'
  | 'cairn.retrieve'
  | 'cairn.retrieve.bm25'
  | 'cairn.retrieve.dense'
  | 'cairn.retrieve.fuse'
  | 'cairn.generate'
  | 'cairn.guard'
  | 'cairn.ingest'
  | 'cairn.ingest.load'
  | 'cairn.ingest.write';

/** Attribute values a span may carry. */
export type SpanAttributes = Record<string, string | number | boolean | string[] | number[] | null>;

/** Something that happened at one moment of a span, e.g. one evaluation score of an answer. */
export interface SpanEvent {
  name: 'cairn.evaluation';
  /** Milliseconds since the trace started (may fall after the span ended: scores come later). */
  timeMs: number;
  attributes: SpanAttributes;
}

/** One timed step of a request. Times are milliseconds since the trace started. */
export interface Span {
  /** 8 random bytes as 16 lowercase hex digits (W3C Trace Context); older traces hold other strings. */
  spanId: string;
  /**
   * The enclosing span, or the caller's span (not in this trace's spans) when a request arrived
   * with a `traceparent` header; null for a root.
   */
  parentSpanId: string | null;
  name: SpanName;
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error';
  attributes: SpanAttributes;
  events?: SpanEvent[];
}

/** A whole request: its spans plus a summary for listing. */
export interface Trace {
  /** 16 random bytes as 32 lowercase hex digits, or the caller's; older traces hold UUIDs. */
  traceId: string;
  namespace: string;
  /** ISO timestamp of the request. */
  startedAt: string;
  durationMs: number;
  /** Short label, e.g. the question (PII-redacted once guardrails exist). */
  label: string;
  spans: Span[];
}

/** The caller's span a request continues, read from a W3C `traceparent` header. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** The caller's sampling decision: an unsampled trace is kept but not exported. */
  sampled: boolean;
}

/**
 * Sends finished traces elsewhere (an OpenTelemetry collector). `export` queues and returns at
 * once: it never throws and never waits for the network, so it cannot slow or fail an answer.
 */
export interface TraceExporter {
  export(trace: Trace): void;
}

/**
 * Runs one step of a larger operation inside its own child span, measured where the step runs;
 * steps that run at once get overlapping spans.
 */
export type TraceStep = <T>(
  name: SpanName,
  work: () => Promise<T>,
  attributes?: SpanAttributes,
) => Promise<T>;

/** Where traces are kept, per namespace. */
export interface TraceStore {
  /** Stores a trace, replacing one with the same namespace and id. */
  saveTrace(trace: Trace): Promise<void>;
  getTrace(namespace: string, traceId: string): Promise<Trace | undefined>;
  /** Summaries newest first (by `startedAt`). @default limit 50 */
  listTraces(namespace: string, options?: { limit?: number }): Promise<Omit<Trace, 'spans'>[]>;
  close(): Promise<void>;
}
