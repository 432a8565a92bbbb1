import { randomBytes } from 'node:crypto';
import type {
  Span,
  SpanAttributes,
  SpanEvent,
  SpanName,
  Trace,
  TraceParent,
  TraceStep,
} from '../spec/index.ts';

/** Spans one trace keeps at most, so a long ingest cannot grow a trace without bound. */
export const MAX_SPANS_PER_TRACE = 1000;

// Ids are drawn from one pool of random bytes: a request opens a dozen spans, and asking the
// system for 8 bytes at a time cost about 1 ms of main-thread time per answer under load.
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let poolAt = 0;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** A new W3C trace id: 16 random bytes as 32 hex digits. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A new W3C span id: 8 random bytes as 16 hex digits. */
export function newSpanId(): string {
  return randomHex(8);
}

/**
 * Records the spans of one request. Spans nest by the order they are opened and closed, unless
 * opened under an explicit parent (steps that run at once, see {@link stepsUnder}).
 */
export class Tracer {
  readonly traceId: string;
  readonly #namespace: string;
  readonly #label: string;
  readonly #remoteParent: string | null;
  readonly #started = performance.now();
  readonly #startedAt = new Date().toISOString();
  readonly #spans: Span[] = [];
  readonly #open: Span[] = [];
  #droppedSpans = 0;

  /** With `parent`, the trace continues the caller's: same trace id, roots under the caller's span. */
  constructor(options: { namespace: string; label: string; parent?: TraceParent }) {
    this.traceId = options.parent?.traceId ?? newTraceId();
    this.#remoteParent = options.parent?.spanId ?? null;
    this.#namespace = options.namespace;
    this.#label = options.label;
  }

  /** Runs `work` inside a span; the span records its duration and, on a throw, the error. */
  async span<T>(
    name: SpanName,
    attributes: SpanAttributes,
    work: (span: Span) => Promise<T> | T,
    parent?: Span,
  ): Promise<T> {
    const span = this.start(name, attributes, parent);
    try {
      return await work(span);
    } catch (error) {
      span.status = 'error';
      span.attributes.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      this.end(span);
    }
  }

  /**
   * Opens a span explicitly, for steps that cannot be wrapped in one callback (streams). Under an
   * explicit `parent` the span does not become the parent of the spans opened after it, so steps
   * running at once stay siblings.
   */
  start(name: SpanName, attributes: SpanAttributes = {}, parent?: Span): Span {
    const span = this.#newSpan(name, performance.now() - this.#started, attributes, parent);
    if (!parent) this.#open.push(span);
    return span;
  }

  /** Closes a span opened with {@link start}. */
  end(span: Span): void {
    span.durationMs = performance.now() - this.#started - span.startMs;
    const index = this.#open.lastIndexOf(span);
    if (index !== -1) this.#open.splice(index, 1);
  }

  /** Adds a finished span with a known duration (e.g. a step timed elsewhere). */
  record(name: SpanName, startMs: number, durationMs: number, attributes: SpanAttributes = {}): Span {
    const span = this.#newSpan(name, startMs, attributes);
    span.durationMs = durationMs;
    return span;
  }

  /** Child spans of `parent` for the steps of one operation, each timed where it runs. */
  stepsUnder(parent: Span): TraceStep {
    return (name, work, attributes = {}) => this.span(name, attributes, work, parent);
  }

  /** Notes a moment of `span`, e.g. a score given to the answer it produced. */
  addEvent(span: Span, name: SpanEvent['name'], attributes: SpanAttributes): void {
    span.events = [...(span.events ?? []), { name, timeMs: this.now(), attributes }];
  }

  /** The innermost span still open, e.g. the stage an error interrupted. */
  openSpanName(): SpanName | undefined {
    return this.#open.at(-1)?.name;
  }

  /** Milliseconds since the trace started. */
  now(): number {
    return performance.now() - this.#started;
  }

  /** The finished trace; spans past {@link MAX_SPANS_PER_TRACE} are counted on the first root. */
  finish(): Trace {
    for (const span of [...this.#open].reverse()) this.end(span);
    const root = this.#spans[0];
    if (root && this.#droppedSpans > 0) root.attributes.droppedSpans = this.#droppedSpans;
    return {
      traceId: this.traceId,
      namespace: this.#namespace,
      startedAt: this.#startedAt,
      durationMs: performance.now() - this.#started,
      label: this.#label,
      spans: this.#spans,
    };
  }

  #newSpan(name: SpanName, startMs: number, attributes: SpanAttributes, parent?: Span): Span {
    const span: Span = {
      spanId: newSpanId(),
      parentSpanId: parent?.spanId ?? this.#open.at(-1)?.spanId ?? this.#remoteParent,
      name,
      startMs,
      durationMs: 0,
      status: 'ok',
      attributes: { ...attributes },
    };
    // Past the cap a span is still handed out (callers set attributes on it) but not kept.
    if (this.#spans.length < MAX_SPANS_PER_TRACE) this.#spans.push(span);
    else this.#droppedSpans += 1;
    return span;
  }
}
