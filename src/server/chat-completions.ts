import { z } from 'zod';
import type { AskResult } from '../engine/index.ts';
import { CairnError } from '../spec/index.ts';

/** The subset of an OpenAI chat-completions request cairn reads; other fields are accepted and ignored. */
export const chatCompletionBody = z.object({
  model: z.string().optional(),
  messages: z
    .array(
      z.object({
        role: z.string(),
        content: z
          .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))])
          .nullable(),
      }),
    )
    .min(1),
  stream: z.boolean().optional(),
});

/** The question of a chat request: the text of its last user message. */
export function questionOf(body: z.infer<typeof chatCompletionBody>): string {
  const last = [...body.messages].reverse().find((message) => message.role === 'user');
  const content = last?.content;
  const text =
    typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join(' ');
  if (!text.trim())
    throw new CairnError('invalid_input', 'messages must end with a user message that has text');
  return text.trim();
}

/** Answer text with a source list appended, so plain OpenAI clients still show where facts come from. */
export function contentWithSources(result: Pick<AskResult, 'answer' | 'citations'>): string {
  if (result.citations.length === 0) return result.answer;
  const sources = result.citations.map(
    (citation) => `[${citation.n}] ${citation.title} (${citation.source})`,
  );
  return `${result.answer}\n\nSources:\n${sources.join('\n')}`;
}

/**
 * A `chat.completion` object; `citations` is cairn's extra field with the cited passages, and
 * `cairn` carries abstention, trace id, timings and the sources' disagreements (`conflicts`).
 */
export function chatCompletion(result: AskResult, model: string) {
  return {
    id: `chatcmpl-${result.traceId}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: contentWithSources(result) },
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: result.usage.inputTokens,
      completion_tokens: result.usage.outputTokens,
      total_tokens: result.usage.inputTokens + result.usage.outputTokens,
    },
    citations: result.citations.map(({ n, docId, chunkId, source, title, text }) => ({
      n,
      docId,
      chunkId,
      source,
      title,
      text,
    })),
    cairn: {
      abstained: result.abstained,
      traceId: result.traceId,
      timings: result.timings,
      conflicts: result.conflicts,
    },
  };
}

/** One `chat.completion.chunk` of a stream. */
export function chatChunk(
  id: string,
  model: string,
  delta: Record<string, string>,
  finishReason: string | null = null,
) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

/** The `error.type` an OpenAI client expects for an HTTP status. */
function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * The event that ends a failed stream, in the shape OpenAI streams use
 * (`{"error":{"message","type","param","code"}}`); `requestId` is cairn's extra field.
 */
export function chatErrorChunk(
  status: number,
  error: { code: string; message: string },
  requestId: string | undefined,
) {
  return {
    error: { message: error.message, type: openAIErrorType(status), param: null, code: error.code },
    ...(requestId ? { requestId } : {}),
  };
}
