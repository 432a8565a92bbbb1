import { randomUUID } from 'node:crypto';
import type { Span, SpanAttributes, SpanName, Trace } from '../spec/index.ts';

/** Records the spans of one request. Spans nest by the order they are opened and closed. */
export class Tracer {
  readonly traceId: string;
  readonly #namespace: string;
  readonly #label: string;
  readonly #started = performance.now();
  readonly #startedAt = new Date().toISOString();
  readonly #spans: Span[] = [];
  readonly #open: Span[] = [];

  constructor(options: { namespace: string; label: string; traceId?: string }) {
    this.traceId = options.traceId ?? randomUUID();
    this.#namespace = options.namespace;
    this.#label = options.label;
  }

  /** Runs `work` inside a span; the span records its duration and, on a throw, the error. */
  async span<T>(
    name: SpanName,
    attributes: SpanAttributes,
    work: (span: Span) => Promise<T> | T,
  ): Promise<T> {
    const span = this.start(name, attributes);
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

  /** Opens a span explicitly, for steps that cannot be wrapped in one callback (streams). */
  start(name: SpanName, attributes: SpanAttributes = {}): Span {
    const span: Span = {
      spanId: randomUUID().slice(0, 16),
      parentSpanId: this.#open.at(-1)?.spanId ?? null,
      name,
      startMs: performance.now() - this.#started,
      durationMs: 0,
      status: 'ok',
      attributes: { ...attributes },
    };
    this.#spans.push(span);
    this.#open.push(span);
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
    const span: Span = {
      spanId: randomUUID().slice(0, 16),
      parentSpanId: this.#open.at(-1)?.spanId ?? null,
      name,
      startMs,
      durationMs,
      status: 'ok',
      attributes,
    };
    this.#spans.push(span);
    return span;
  }

  /** The innermost span still open, e.g. the stage an error interrupted. */
  openSpanName(): SpanName | undefined {
    return this.#open.at(-1)?.name;
  }

  /** Milliseconds since the trace started. */
  now(): number {
    return performance.now() - this.#started;
  }

  /** The finished trace. */
  finish(): Trace {
    for (const span of [...this.#open].reverse()) this.end(span);
    return {
      traceId: this.traceId,
      namespace: this.#namespace,
      startedAt: this.#startedAt,
      durationMs: performance.now() - this.#started,
      label: this.#label,
      spans: this.#spans,
    };
  }
}
