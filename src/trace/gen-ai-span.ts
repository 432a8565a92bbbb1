import { redactPii } from '../guard/index.ts';
import type { Span, SpanAttributes, SpanEvent, Trace } from '../spec/index.ts';

/** Attribute values OpenTelemetry accepts: no nulls, arrays of one type. */
export type OtelAttributes = Record<string, string | number | boolean | string[] | number[]>;

/** A cairn span as the OpenTelemetry GenAI semantic conventions name and describe it. */
export interface GenAiSpan {
  name: string;
  /** CLIENT for calls to a model or store, INTERNAL for work inside cairn. */
  kind: 'client' | 'internal';
  attributes: OtelAttributes;
  events: { name: string; timeMs: number; attributes: OtelAttributes }[];
}

/**
 * Span attributes that hold what people wrote or read (the question, the answer, the query, text
 * the guard took out, values quoted from conflicting documents, judge explanations): exported only
 * with content capture on, and redacted again.
 */
const CONTENT_ATTRIBUTES = new Set([
  'question',
  'answer',
  'query',
  'removed',
  'unanswerable',
  'conflicts',
  'explanation',
]);

// cairn's provider prefixes and the GenAI `gen_ai.provider.name` each maps to. An
// OpenAI-compatible server speaks OpenAI's API, which is what the name tells a backend.
const PROVIDER_NAMES: Record<string, string> = {
  'openai-compatible': 'openai',
  anthropic: 'anthropic',
  local: 'cairn',
  hashing: 'cairn',
};

/** cairn's finish reasons as the GenAI conventions spell them. */
const FINISH_REASONS: Record<string, string> = {
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
};

/** Provider and model of a cairn model id (`openai-compatible:llama3.1`, `extractive`). */
export function modelOf(modelId: string): { provider: string; model: string } {
  const colon = modelId.indexOf(':');
  if (colon === -1) return { provider: 'cairn', model: modelId };
  const prefix = modelId.slice(0, colon);
  return { provider: PROVIDER_NAMES[prefix] ?? prefix, model: modelId.slice(colon + 1) };
}

/** What the spans of one trace share: its namespace, and the question and answer when captured. */
interface TraceContent {
  namespace: string;
  captureContent: boolean;
  question?: string;
  answer?: string;
  /** The generate span whose draft became the answer: the last one that succeeded. */
  answering?: Span;
}

/**
 * Names and describes each span of a trace by the GenAI semantic conventions: `chat {model}` for
 * generation, `embeddings {model}`, `retrieval {namespace}`, with `gen_ai.*` attributes where
 * cairn knows them; cairn's own attributes follow as `cairn.*`. The question and answer appear
 * (as `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.retrieval.query.text`) only
 * with `captureContent`, PII-redacted. Returns one entry per span, in order.
 */
export function genAiSpans(trace: Trace, captureContent: boolean): GenAiSpan[] {
  const context: TraceContent = {
    namespace: trace.namespace,
    captureContent,
    ...(captureContent ? contentOf(trace) : {}),
    ...answeringSpan(trace),
  };
  return trace.spans.map((span) => genAiSpan(span, context));
}

function genAiSpan(span: Span, context: TraceContent): GenAiSpan {
  const { captureContent } = context;
  const own = cairnAttributes(span.attributes, captureContent);
  const events = (span.events ?? []).map((event) => evaluationEvent(event, captureContent));
  const a = span.attributes;
  if (span.name === 'cairn.generate' || span.name === 'cairn.embed') {
    const { provider, model } = modelOf(String(a.model ?? ''));
    const operation = span.name === 'cairn.generate' ? 'chat' : 'embeddings';
    const attributes: OtelAttributes = {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      ...numberAttribute('gen_ai.usage.input_tokens', a.inputTokens),
      ...numberAttribute('gen_ai.usage.output_tokens', a.outputTokens),
      ...(typeof a.finishReason === 'string'
        ? { 'gen_ai.response.finish_reasons': [FINISH_REASONS[a.finishReason] ?? a.finishReason] }
        : {}),
      ...(operation === 'chat' ? chatContent(span, context) : {}),
      ...errorType(span),
      ...own,
    };
    return { name: `${operation} ${model}`, kind: kindOf(provider), attributes, events };
  }
  if (span.name === 'cairn.retrieve') {
    const attributes: OtelAttributes = {
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': context.namespace,
      ...numberAttribute('gen_ai.request.top_k', a.k),
      ...(context.question ? { 'gen_ai.retrieval.query.text': context.question } : {}),
      ...(captureContent ? retrievedDocuments(a) : {}),
      ...errorType(span),
      ...own,
    };
    return { name: `retrieval ${context.namespace}`, kind: 'client', attributes, events };
  }
  return { name: span.name, kind: 'internal', attributes: { ...errorType(span), ...own }, events };
}

/** The redacted question (or search query) and answer, from the trace's root span. */
function contentOf(trace: Trace): { question?: string; answer?: string } {
  const ids = new Set(trace.spans.map((span) => span.spanId));
  // The root's parent is null, or the caller's span when the request carried a traceparent.
  const root = trace.spans.find((span) => span.parentSpanId === null || !ids.has(span.parentSpanId));
  const text = (value: unknown) =>
    typeof value === 'string' && value !== '' ? redactPii(value).text : undefined;
  const question = text(root?.attributes.question ?? root?.attributes.query);
  const answer = text(root?.attributes.answer);
  return { ...(question ? { question } : {}), ...(answer ? { answer } : {}) };
}

function answeringSpan(trace: Trace): { answering?: Span } {
  const answering = trace.spans
    .filter((span) => span.name === 'cairn.generate' && span.status === 'ok')
    .at(-1);
  return answering ? { answering } : {};
}

/**
 * The messages of a chat span: the question asked and, on the attempt whose draft became the
 * answer, the answer. The passages in the prompt are not repeated: the retrieval span names them.
 */
function chatContent(span: Span, context: TraceContent): OtelAttributes {
  const finishReason =
    typeof span.attributes.finishReason === 'string' ? span.attributes.finishReason : 'stop';
  return {
    ...(context.question
      ? {
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: context.question }] },
          ]),
        }
      : {}),
    ...(context.answer && context.answering === span
      ? {
          'gen_ai.output.messages': JSON.stringify([
            {
              role: 'assistant',
              parts: [{ type: 'text', content: context.answer }],
              finish_reason: FINISH_REASONS[finishReason] ?? finishReason,
            },
          ]),
        }
      : {}),
  };
}

/** `gen_ai.retrieval.documents`: each passage's chunk id and score, in rank order. */
function retrievedDocuments(a: SpanAttributes): OtelAttributes {
  const ids = Array.isArray(a.chunkIds) ? a.chunkIds : [];
  const scores = Array.isArray(a.scores) ? a.scores : [];
  if (ids.length === 0) return {};
  return {
    'gen_ai.retrieval.documents': JSON.stringify(ids.map((id, i) => ({ id, score: scores[i] ?? null }))),
  };
}

/** A judged score as the `gen_ai.evaluation.result` event. */
function evaluationEvent(event: SpanEvent, captureContent: boolean): GenAiSpan['events'][number] {
  const a = event.attributes;
  return {
    name: 'gen_ai.evaluation.result',
    timeMs: event.timeMs,
    attributes: {
      'gen_ai.evaluation.name': String(a.name),
      ...numberAttribute('gen_ai.evaluation.score.value', a.score),
      ...(typeof a.label === 'string' ? { 'gen_ai.evaluation.score.label': a.label } : {}),
      ...(captureContent && typeof a.explanation === 'string'
        ? { 'gen_ai.evaluation.explanation': redactPii(a.explanation).text }
        : {}),
    },
  };
}

/** cairn's own attributes under `cairn.`, content only when captured (redacted), nulls left out. */
function cairnAttributes(attributes: SpanAttributes, captureContent: boolean): OtelAttributes {
  const out: OtelAttributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null) continue;
    if (CONTENT_ATTRIBUTES.has(key)) {
      if (!captureContent) continue;
      out[`cairn.${key}`] = redactValue(value);
    } else out[`cairn.${key}`] = value;
  }
  return out;
}

function redactValue(value: string | number | boolean | string[] | number[]) {
  if (typeof value === 'string') return redactPii(value).text;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.map((item) => redactPii(item).text);
  return value;
}

function numberAttribute(key: string, value: unknown): OtelAttributes {
  return typeof value === 'number' && Number.isFinite(value) ? { [key]: value } : {};
}

/** `error.type` on a failed span, as the conventions require; cairn keeps the message in `cairn.error`. */
function errorType(span: Span): OtelAttributes {
  return span.status === 'error' ? { 'error.type': '_OTHER' } : {};
}

function kindOf(provider: string): GenAiSpan['kind'] {
  return provider === 'cairn' ? 'internal' : 'client';
}
