import { type HrTime, type SpanContext, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Trace } from '../spec/index.ts';
import { genAiSpans } from './gen-ai-span.ts';

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * A finished cairn trace as the OpenTelemetry SDK's finished spans, ready for an OTLP exporter:
 * same ids and parent links (a parent outside the trace is the caller's, marked remote), times
 * anchored at the trace's start, names and attributes by the GenAI conventions. A trace stored
 * before ids were W3C ids (a UUID) yields nothing: no collector would accept it.
 */
export function toReadableSpans(
  trace: Trace,
  options: { resource: Resource; scope: InstrumentationScope; captureContent: boolean },
): ReadableSpan[] {
  if (!HEX_TRACE_ID.test(trace.traceId)) return [];
  const startedAt = Date.parse(trace.startedAt);
  const ids = new Set(trace.spans.map((span) => span.spanId));
  const described = genAiSpans(trace, options.captureContent);
  return trace.spans.map((span, index) => {
    const otel = described[index] as (typeof described)[number];
    const context: SpanContext = {
      traceId: trace.traceId,
      spanId: span.spanId,
      traceFlags: TraceFlags.SAMPLED,
    };
    const parent: SpanContext | undefined =
      span.parentSpanId === null
        ? undefined
        : {
            traceId: trace.traceId,
            spanId: span.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: !ids.has(span.parentSpanId),
          };
    const error = span.attributes.error;
    return {
      name: otel.name,
      kind: otel.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
      spanContext: () => context,
      ...(parent ? { parentSpanContext: parent } : {}),
      startTime: hrTime(startedAt + span.startMs),
      endTime: hrTime(startedAt + span.startMs + span.durationMs),
      duration: hrTime(span.durationMs),
      status:
        span.status === 'error'
          ? { code: SpanStatusCode.ERROR, ...(typeof error === 'string' ? { message: error } : {}) }
          : { code: SpanStatusCode.UNSET },
      attributes: otel.attributes,
      links: [],
      events: otel.events.map((event) => ({
        name: event.name,
        time: hrTime(startedAt + event.timeMs),
        attributes: event.attributes,
      })),
      ended: true,
      resource: options.resource,
      instrumentationScope: options.scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  });
}

/** Milliseconds (since the epoch, or a duration) as OpenTelemetry's [seconds, nanoseconds]. */
function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
