import {
  ApiCallError,
  type CallWarning,
  type ChatMessage,
  type FinishReason,
  type GenerateResult,
  type LanguageModel,
  type LanguageModelCallOptions,
  type LanguageModelUsage,
  type StreamPart,
  type ToolCall,
} from '../../spec/index.ts';
import { checkToolCall } from './check-tool-call.ts';
import { countUsage } from './count-usage.ts';
import { parseJsonBody, providerRequest } from './provider-request.ts';
import { parseServerSentEvents } from './sse.ts';

/** Settings of an OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio). */
export interface OpenAICompatibleChatSettings {
  /** Base URL including the version path, e.g. `http://127.0.0.1:11434/v1`. */
  baseURL: string;
  apiKey?: string;
  modelId: string;
  /** Milliseconds until the response starts. @default 60000 */
  timeoutMs?: number;
  /** Milliseconds allowed between streamed chunks. @default 30000 */
  idleTimeoutMs?: number;
  headers?: Record<string, string>;
}

interface OpenAIToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface OpenAIChoice {
  message?: { content?: string | null; tool_calls?: OpenAIToolCall[] };
  delta?: { content?: string | null; tool_calls?: OpenAIToolCall[] };
  finish_reason?: string | null;
}

interface OpenAIResponse {
  id?: string;
  model?: string;
  choices?: OpenAIChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** A chat model behind `POST {baseURL}/chat/completions`, streaming with Server-Sent Events. */
export function createOpenAICompatibleChat(settings: OpenAICompatibleChatSettings): LanguageModel {
  const url = `${settings.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const headers = {
    ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
    ...settings.headers,
  };
  const request = (options: LanguageModelCallOptions, stream: boolean) =>
    providerRequest({
      url,
      headers,
      body: requestBody(settings.modelId, options, stream),
      timeoutMs: settings.timeoutMs ?? 60_000,
      idleTimeoutMs: settings.idleTimeoutMs ?? 30_000,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });

  return {
    specificationVersion: 'v1',
    provider: 'openai-compatible',
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
      const body = parseJsonBody(text, url) as OpenAIResponse;
      const choice = body.choices?.[0];
      if (!choice?.message) {
        throw new ApiCallError({
          message: `${url} returned no choices[0].message`,
          url,
          status: 200,
          responseBody: text.slice(0, 2000),
          isRetryable: true,
        });
      }
      const output = choice.message.content ?? '';
      const toolCalls = (choice.message.tool_calls ?? []).map((call, index) => toToolCall(call, index, url));
      return {
        text: output,
        toolCalls,
        finishReason: mapFinishReason(choice.finish_reason),
        usage: usageFrom(body.usage, options.messages, output),
        warnings: warningsFor(options),
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
      return {
        stream: streamParts(body, open, options.messages, settings.modelId, url),
        warnings: warningsFor(options),
      };
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
  let finishReason: FinishReason | undefined;
  let usage: OpenAIResponse['usage'];
  let responseId: string | undefined;
  let responseModel = modelId;
  let sawDone = false;
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  try {
    for await (const event of parseServerSentEvents(body)) {
      open.touch();
      if (event.data === '[DONE]') {
        sawDone = true;
        break;
      }
      const chunk = parseJsonBody(event.data, url) as OpenAIResponse & { error?: { message?: string } };
      if (chunk.error) {
        yield {
          type: 'error',
          error: new ApiCallError({
            message: `${url} stream error: ${chunk.error.message ?? 'unknown'}`,
            url,
            status: 200,
            isRetryable: true,
          }),
        };
        return;
      }
      responseId ??= chunk.id;
      if (chunk.model) responseModel = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta?.content;
      if (delta) {
        output += delta;
        yield { type: 'text-delta', delta };
      }
      for (const fragment of choice.delta?.tool_calls ?? []) {
        const index = fragment.index ?? 0;
        const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
        if (fragment.id) call.id = fragment.id;
        if (fragment.function?.name) call.name += fragment.function.name;
        if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
        calls.set(index, call);
      }
      if (choice.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
    }
  } catch (error) {
    yield { type: 'error', error: open.translate(error) };
    return;
  } finally {
    open.close();
  }
  if (!sawDone && finishReason === undefined) {
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
  for (const [index, call] of [...calls].sort(([a], [b]) => a - b)) {
    try {
      const toolCall = checkToolCall(
        { id: call.id || `call_${index}`, name: call.name, arguments: call.arguments },
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
    finishReason: finishReason ?? 'stop',
    usage: usageFrom(usage, messages, output),
    response: { ...(responseId ? { id: responseId } : {}), modelId: responseModel },
  };
}

function requestBody(
  modelId: string,
  options: LanguageModelCallOptions,
  stream: boolean,
): Record<string, unknown> {
  return {
    model: modelId,
    messages: options.messages.map(toOpenAIMessage),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxOutputTokens === undefined ? {} : { max_tokens: options.maxOutputTokens }),
    ...(options.stopSequences?.length ? { stop: options.stopSequences } : {}),
    ...(options.tools?.length
      ? {
          tools: options.tools.map((tool) => ({
            type: 'function',
            function: { name: tool.name, description: tool.description, parameters: tool.parameters },
          })),
          tool_choice: options.toolChoice ?? 'auto',
        }
      : {}),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

function toOpenAIMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === 'tool')
    return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return {
      role: 'assistant',
      content: message.content || null,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return { role: message.role, content: message.content };
}

function toToolCall(call: OpenAIToolCall, index: number, url: string): ToolCall {
  return checkToolCall(
    {
      id: call.id ?? `call_${index}`,
      name: call.function?.name ?? '',
      arguments: call.function?.arguments ?? '',
    },
    url,
  );
}

function usageFrom(
  usage: OpenAIResponse['usage'],
  messages: ChatMessage[],
  output: string,
): LanguageModelUsage {
  if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, reported: true };
  }
  return countUsage(messages, output);
}

function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

function warningsFor(options: LanguageModelCallOptions): CallWarning[] {
  return options.toolChoice && !options.tools?.length
    ? [{ type: 'unsupported-setting', message: 'toolChoice was ignored because no tools were given' }]
    : [];
}
