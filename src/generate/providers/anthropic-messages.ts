import {
  ApiCallError,
  type ChatMessage,
  type FinishReason,
  type GenerateResult,
  type LanguageModel,
  type LanguageModelCallOptions,
  type StreamPart,
  type ToolCall,
} from '../../spec/index.ts';
import { checkToolCall } from './check-tool-call.ts';
import { countUsage } from './count-usage.ts';
import { parseJsonBody, providerRequest } from './provider-request.ts';
import { parseServerSentEvents } from './sse.ts';

/** Settings of the Anthropic Messages API. */
export interface AnthropicMessagesSettings {
  /** @default 'https://api.anthropic.com/v1' */
  baseURL?: string;
  apiKey: string;
  modelId: string;
  /** The API requires max_tokens; used when the call gives none. @default 1024 */
  maxOutputTokens?: number;
  /** @default '2023-06-01' */
  anthropicVersion?: string;
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 30000 */
  idleTimeoutMs?: number;
}

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

interface AnthropicResponse {
  id?: string;
  model?: string;
  content?: { type: string; text?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

/** A chat model behind Anthropic's `POST /v1/messages`, with its event-stream protocol. */
export function createAnthropicMessages(settings: AnthropicMessagesSettings): LanguageModel {
  const url = `${(settings.baseURL ?? 'https://api.anthropic.com/v1').replace(/\/+$/, '')}/messages`;
  const request = (options: LanguageModelCallOptions, stream: boolean) =>
    providerRequest({
      url,
      headers: {
        'x-api-key': settings.apiKey,
        'anthropic-version': settings.anthropicVersion ?? '2023-06-01',
      },
      body: requestBody(settings, options, stream),
      timeoutMs: settings.timeoutMs ?? 60_000,
      idleTimeoutMs: settings.idleTimeoutMs ?? 30_000,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });

  return {
    specificationVersion: 'v1',
    provider: 'anthropic',
    modelId: settings.modelId,
    async doGenerate(options): Promise<GenerateResult> {
      const open = await request(options, false);
      let text: string;
      try {
        text = await open.response.text();
      } catch (error) {
        throw open.translate(error);
      } finally {
        open.close();
      }
      const body = parseJsonBody(text, url) as AnthropicResponse;
      if (!Array.isArray(body.content)) {
        throw new ApiCallError({
          message: `${url} returned no content blocks`,
          url,
          status: 200,
          responseBody: text.slice(0, 2000),
          isRetryable: true,
        });
      }
      const output = body.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text ?? '')
        .join('');
      const toolCalls: ToolCall[] = body.content
        .filter((block) => block.type === 'tool_use')
        .map((block) =>
          checkToolCall(
            {
              id: block.id ?? '',
              name: block.name ?? '',
              // Anthropic sends input as an object; a string here is a malformed call.
              arguments: typeof block.input === 'string' ? block.input : JSON.stringify(block.input ?? {}),
            },
            url,
          ),
        );
      const reported =
        typeof body.usage?.input_tokens === 'number' && typeof body.usage.output_tokens === 'number';
      return {
        text: output,
        toolCalls,
        finishReason: mapStopReason(body.stop_reason),
        usage: reported
          ? {
              inputTokens: body.usage?.input_tokens ?? 0,
              outputTokens: body.usage?.output_tokens ?? 0,
              reported: true,
            }
          : countUsage(options.messages, output),
        warnings: [],
        response: { ...(body.id ? { id: body.id } : {}), modelId: body.model ?? settings.modelId },
      };
    },
    async doStream(options) {
      const open = await request(options, true);
      const body = open.response.body;
      if (!body) {
        open.close();
        throw new ApiCallError({
          message: `${url} returned an empty stream`,
          url,
          status: 200,
          isRetryable: true,
        });
      }
      return { stream: streamParts(body, open, options.messages, settings.modelId, url), warnings: [] };
    },
  };
}

async function* streamParts(
  body: ReadableStream<Uint8Array>,
  open: Awaited<ReturnType<typeof providerRequest>>,
  messages: ChatMessage[],
  modelId: string,
  url: string,
): AsyncGenerator<StreamPart> {
  let output = '';
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let stopReason: string | null | undefined;
  let responseId: string | undefined;
  let responseModel = modelId;
  let stopped = false;
  const blocks = new Map<number, { id: string; name: string; json: string }>();
  try {
    for await (const event of parseServerSentEvents(body)) {
      open.touch();
      const data = parseJsonBody(event.data, url) as {
        type?: string;
        index?: number;
        message?: AnthropicResponse;
        content_block?: { type?: string; id?: string; name?: string };
        delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
        usage?: { output_tokens?: number };
        error?: { type?: string; message?: string };
      };
      const type = data.type ?? event.event;
      if (type === 'message_start') {
        responseId = data.message?.id;
        if (data.message?.model) responseModel = data.message.model;
        inputTokens = data.message?.usage?.input_tokens;
      } else if (type === 'content_block_start' && data.content_block?.type === 'tool_use') {
        blocks.set(data.index ?? 0, {
          id: data.content_block.id ?? '',
          name: data.content_block.name ?? '',
          json: '',
        });
      } else if (type === 'content_block_delta') {
        if (data.delta?.type === 'text_delta' && data.delta.text) {
          output += data.delta.text;
          yield { type: 'text-delta', delta: data.delta.text };
        } else if (data.delta?.type === 'input_json_delta') {
          const block = blocks.get(data.index ?? 0);
          if (block) block.json += data.delta.partial_json ?? '';
        }
      } else if (type === 'message_delta') {
        stopReason = data.delta?.stop_reason ?? stopReason;
        outputTokens = data.usage?.output_tokens ?? outputTokens;
      } else if (type === 'message_stop') {
        stopped = true;
        break;
      } else if (type === 'error') {
        const status = data.error?.type === 'overloaded_error' ? 529 : 500;
        yield {
          type: 'error',
          error: new ApiCallError({
            message: `${url} stream error: ${data.error?.message ?? 'unknown'}`,
            url,
            status,
          }),
        };
        return;
      }
    }
  } catch (error) {
    yield { type: 'error', error: open.translate(error) };
    return;
  } finally {
    open.close();
  }
  if (!stopped) {
    yield {
      type: 'error',
      error: new ApiCallError({
        message: `stream from ${url} ended before completion`,
        url,
        status: 200,
        isRetryable: true,
      }),
    };
    return;
  }
  for (const [, block] of [...blocks].sort(([a], [b]) => a - b)) {
    try {
      const toolCall = checkToolCall(
        { id: block.id, name: block.name, arguments: block.json === '' ? '{}' : block.json },
        url,
      );
      yield { type: 'tool-call', toolCall };
    } catch (error) {
      yield { type: 'error', error };
      return;
    }
  }
  yield {
    type: 'finish',
    finishReason: mapStopReason(stopReason),
    usage:
      inputTokens !== undefined && outputTokens !== undefined
        ? { inputTokens, outputTokens, reported: true }
        : countUsage(messages, output),
    response: { ...(responseId ? { id: responseId } : {}), modelId: responseModel },
  };
}

function requestBody(
  settings: AnthropicMessagesSettings,
  options: LanguageModelCallOptions,
  stream: boolean,
): Record<string, unknown> {
  const system = options.messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content);
  return {
    model: settings.modelId,
    max_tokens: options.maxOutputTokens ?? settings.maxOutputTokens ?? 1024,
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    messages: toAnthropicMessages(options.messages),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.stopSequences?.length ? { stop_sequences: options.stopSequences } : {}),
    ...(options.tools?.length
      ? {
          tools: options.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            input_schema: tool.parameters,
          })),
          tool_choice: { type: options.toolChoice === 'required' ? 'any' : (options.toolChoice ?? 'auto') },
        }
      : {}),
    ...(stream ? { stream: true } : {}),
  };
}

/** Maps chat messages to Anthropic's alternating user/assistant turns; tool results join a user turn. */
function toAnthropicMessages(
  messages: ChatMessage[],
): { role: 'user' | 'assistant'; content: ContentBlock[] }[] {
  const turns: { role: 'user' | 'assistant'; content: ContentBlock[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlock[]) => {
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool')
      push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }]);
    else if (message.role === 'assistant') {
      const blocks: ContentBlock[] = message.content ? [{ type: 'text', text: message.content }] : [];
      for (const call of message.toolCalls ?? [])
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: safeJson(call.arguments) });
      push('assistant', blocks);
    } else push('user', [{ type: 'text', text: message.content }]);
  }
  return turns;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
